namespace MLPipeline.Serving.Options;

/// <summary>The <c>Serving:Ui</c> section: the web pages at <c>/ui</c> (docs/ui.md).</summary>
public sealed class UiOptions
{
    /// <summary>Serve the pages at /ui.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a sign-in lasts (sliding: each page seen in the second half renews it).</summary>
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long the pages show a model's versions and aliases as read, before reading them again in the background.</summary>
    public TimeSpan StoreRefresh { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The Entra ID (OpenID Connect) application the browser signs in with, when <c>Serving:Jwt:Authority</c> is set:
    /// its users need the <c>Serving:Jwt:AdminRole</c> app role. Unset: the pages take an admin API key only.
    /// </summary>
    public string? OidcClientId { get; set; }

    /// <summary>The application's client secret: the code flow; unset, the ID token comes back by form post (no secret).</summary>
    public string? OidcClientSecret { get; set; }
}
