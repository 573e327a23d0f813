using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Rollout;

public static class RolloutServiceCollectionExtensions
{
    /// <summary>The rollout path of predictions, the shadow queue, and (unless switched off) the follower of rollout.json.</summary>
    public static IServiceCollection AddRollouts(this IServiceCollection services, ServingOptions settings)
    {
        services.AddSingleton<RolloutLiveQuality>();
        services.AddSingleton<ShadowScorer>();
        services.AddHostedService(sp => sp.GetRequiredService<ShadowScorer>());
        services.AddSingleton<RolloutPredictor>();
        if (settings.Rollout.Enabled)
        {
            services.AddHostedService<RolloutFollower>();
        }

        return services;
    }
}
