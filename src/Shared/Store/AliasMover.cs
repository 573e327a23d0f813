namespace MLPipeline.Shared.Store;

/// <summary>Who moves an alias: recorded in the alias file for audit.</summary>
public static class AliasMover
{
    /// <summary>The Azure DevOps or GitHub identity when running in a pipeline, else user@host.</summary>
    public static string Identity
    {
        get
        {
            var pipelineUser = Environment.GetEnvironmentVariable("BUILD_REQUESTEDFOR") ?? Environment.GetEnvironmentVariable("GITHUB_ACTOR");
            var build = Environment.GetEnvironmentVariable("BUILD_BUILDNUMBER");
            return pipelineUser is not null
                ? build is null ? pipelineUser : $"{pipelineUser} (build {build})"
                : $"{Environment.UserName}@{Environment.MachineName}";
        }
    }
}
