using System.Net;
using System.Text.RegularExpressions;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Options;

/// <summary>
/// The checks of the security settings (API keys, JWT roles, limits, forwarded headers), each naming its field.
/// A key's value is never part of a message.
/// </summary>
public static partial class SecurityOptionsValidation
{
    public static IEnumerable<string> Errors(ServingOptions options)
    {
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i];
            var where = $"Serving:ApiKeys:{i}";
            var keyField = entry.IsPlainKey ? where : where + ":Key";
            if (string.IsNullOrEmpty(entry.Key) || entry.Key.Length < 16)
            {
                yield return $"{keyField}: an API key must have at least 16 characters.";
            }
            else if (entry.Key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                yield return $"{keyField}: an API key must not contain white space or control characters (HTTP headers cannot carry them intact).";
            }
            else if (!keys.TryAdd(entry.Key, i))
            {
                yield return $"{keyField} is the same key as Serving:ApiKeys:{keys[entry.Key]}; give each caller a key of its own.";
            }

            if (entry.IsPlainKey)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(entry.Id))
            {
                yield return $"{where}:Id is required: a name for the caller, shown in logs (e.g. ci-predict).";
            }
            else if (!IdPattern().IsMatch(entry.Id))
            {
                yield return $"{where}:Id '{entry.Id}' must be 1 to 64 letters, digits, '.', '_' or '-'.";
            }
            else if (!ids.TryAdd(entry.Id, i))
            {
                yield return $"{where}:Id '{entry.Id}' is used twice (also Serving:ApiKeys:{ids[entry.Id]}:Id).";
            }

            if (string.IsNullOrWhiteSpace(entry.Role))
            {
                yield return $"{where}:Role is required: {ServingClaims.PredictRole} or {ServingClaims.AdminRole}.";
            }
            else if (!ServingClaims.IsRole(entry.Role))
            {
                yield return $"{where}:Role '{entry.Role}' is not {ServingClaims.PredictRole} or {ServingClaims.AdminRole}.";
            }
        }

        var jwt = options.Jwt;
        if (jwt.Enabled)
        {
            if (string.IsNullOrWhiteSpace(jwt.Audience))
            {
                yield return "Serving:Jwt:Audience is required when Serving:Jwt:Authority is set.";
            }

            foreach (var (field, value) in new[] { ("PredictRole", jwt.PredictRole), ("AdminRole", jwt.AdminRole) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    yield return $"Serving:Jwt:{field} is required when Serving:Jwt:Authority is set: the app role (roles claim) or scope (scp claim) a token needs.";
                }
                else if (value.Any(char.IsWhiteSpace))
                {
                    yield return $"Serving:Jwt:{field} '{value}' must not contain white space (scopes are separated by spaces).";
                }
            }

            if (!string.IsNullOrWhiteSpace(jwt.PredictRole) && string.Equals(jwt.PredictRole, jwt.AdminRole, StringComparison.Ordinal))
            {
                yield return "Serving:Jwt:PredictRole and Serving:Jwt:AdminRole must differ.";
            }
        }

        if (options.RateLimit.PermitsPerSecond < 0 || options.RateLimit.Burst < 0)
        {
            yield return "Serving:RateLimit:PermitsPerSecond and Burst must not be negative.";
        }

        if (options.Limits.MaxConcurrentRequests < 0)
        {
            yield return "Serving:Limits:MaxConcurrentRequests must not be negative (0 turns the limit off).";
        }

        if (options.Limits.ConcurrencyQueue is < 0 or > 100_000)
        {
            yield return "Serving:Limits:ConcurrencyQueue must be between 0 and 100000.";
        }

        var forwarded = options.ForwardedHeaders;
        for (var i = 0; i < forwarded.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(forwarded.KnownProxies[i], out _))
            {
                yield return $"Serving:ForwardedHeaders:KnownProxies:{i} '{forwarded.KnownProxies[i]}' is not an IP address.";
            }
        }

        for (var i = 0; i < forwarded.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(forwarded.KnownNetworks[i], out _))
            {
                yield return $"Serving:ForwardedHeaders:KnownNetworks:{i} '{forwarded.KnownNetworks[i]}' is not a network in CIDR notation (e.g. 10.0.0.0/23).";
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}
