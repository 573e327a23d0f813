using Microsoft.Extensions.Options;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Options;

/// <summary>Fails the start with every configuration mistake named, instead of failing the first request.</summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        var errors = new List<string>();
        if (!StoreNames.IsValid(options.Alias))
        {
            errors.Add($"Serving:Alias '{options.Alias}' is not a valid alias name.");
        }

        for (var i = 0; i < options.Models.Count; i++)
        {
            try
            {
                ModelReference.Parse(options.Models[i]);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Serving:Models:{i}: {ex.Message}");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var source = options.Sources[i];
            var where = $"Serving:Sources:{i}";
            if (!StoreNames.IsValid(source.Name))
            {
                errors.Add($"{where}:Name '{source.Name}' is not a valid model name.");
            }
            else if (!names.Add(source.Name))
            {
                errors.Add($"{where}:Name '{source.Name}' is used twice.");
            }

            if (string.IsNullOrWhiteSpace(source.Path) == string.IsNullOrWhiteSpace(source.Uri))
            {
                errors.Add($"{where}: set exactly one of Path or Uri.");
            }
            else if (source.Uri is not null && (!Uri.TryCreate(source.Uri, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                errors.Add($"{where}:Uri '{WithoutQuery(source.Uri)}' is not an http(s) blob URI.");
            }
        }

        errors.AddRange(SecurityOptionsValidation.Errors(options));
        if (!string.IsNullOrWhiteSpace(options.Ui.OidcClientId) && !options.Jwt.Enabled)
        {
            errors.Add("Serving:Ui:OidcClientId needs Serving:Jwt:Authority (and its roles): the sign-in uses that authority and its admin role.");
        }

        if (options.Ui.SignInLifetime <= TimeSpan.Zero || options.Ui.StoreRefresh <= TimeSpan.Zero)
        {
            errors.Add("Serving:Ui:SignInLifetime and Serving:Ui:StoreRefresh must be positive.");
        }

        if (options.Limits.MaxBodyBytes is < 1024 or > 256 * 1024 * 1024)
        {
            errors.Add("Serving:Limits:MaxBodyBytes must be between 1024 and 268435456.");
        }

        if (options.Limits.MaxBatchSize is < 1 or > 100_000)
        {
            errors.Add("Serving:Limits:MaxBatchSize must be between 1 and 100000.");
        }

        if (options.Onnx.IntraOpThreads is < 0 or > 1024 || options.Onnx.InterOpThreads is < 0 or > 1024)
        {
            errors.Add("Serving:Onnx: IntraOpThreads and InterOpThreads must be between 0 (ONNX Runtime's default) and 1024.");
        }

        var reload = options.Reload;
        if (reload.PollInterval < TimeSpan.FromMilliseconds(50) || reload.FilePollInterval < TimeSpan.FromMilliseconds(50)
            || reload.FileDebounce < TimeSpan.Zero || reload.MaxBackoff < reload.PollInterval)
        {
            errors.Add("Serving:Reload: PollInterval and FilePollInterval must be at least 00:00:00.05, FileDebounce not negative, MaxBackoff at least PollInterval.");
        }

        errors.AddRange(options.Monitoring.Problems());

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The text before any query string: a SAS token never reaches the log.</summary>
    private static string WithoutQuery(string uri) => uri.Split('?', 2)[0] + (uri.Contains('?', StringComparison.Ordinal) ? "?<redacted>" : "");
}
