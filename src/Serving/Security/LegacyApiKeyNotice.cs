using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>At start, one warning per plain-string API key: it still works, as an admin key, but should name its role.</summary>
public sealed class LegacyApiKeyNotice(IOptions<ServingOptions> options, ILogger<LegacyApiKeyNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = options.Value.ApiKeys;
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].IsPlainKey)
            {
                logger.LogWarning(
                    "Serving:ApiKeys:{Index} is a plain key, served as an admin key with id {Id}; give it an Id and a Role (predict or admin): {{ \"Id\": \"...\", \"Key\": \"...\", \"Role\": \"predict\" }}.",
                    i, keys[i].Id);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
