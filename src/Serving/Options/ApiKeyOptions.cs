namespace MLPipeline.Serving.Options;

/// <summary>One entry of <c>Serving:ApiKeys</c>: <c>{ "Id": "ci-predict", "Key": "&lt;secret&gt;", "Role": "predict" }</c>.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Names the caller in logs and is its rate-limit identity; never the secret.</summary>
    public string? Id { get; set; }

    /// <summary>The secret the caller sends (at least 16 characters).</summary>
    public string? Key { get; set; }

    /// <summary><c>predict</c> or <c>admin</c> (admin may do everything predict may).</summary>
    public string? Role { get; set; }

    /// <summary>True for a legacy plain-string entry (<c>Serving:ApiKeys:0 = "&lt;key&gt;"</c>): an admin key named <c>key-&lt;index&gt;</c>.</summary>
    public bool IsPlainKey { get; internal set; }
}
