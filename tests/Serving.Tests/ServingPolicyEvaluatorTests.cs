using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The kept answers of API keys to role policies: right for every policy, and bounded when a policy provider hands out
/// a new policy object per request (each would otherwise be kept for the life of the process).
/// </summary>
public sealed class ServingPolicyEvaluatorTests
{
    private const string PredictKey = "predict-key-0123456789";

    [Fact]
    public async Task Past_the_bound_answers_stay_right_and_no_more_are_kept()
    {
        var registry = new ApiKeyRegistry(Microsoft.Extensions.Options.Options.Create(new ServingOptions
        {
            ApiKeys = [new ApiKeyOptions { Id = "ci", Key = PredictKey, Role = ServingClaims.PredictRole }],
        }));
        using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        var evaluator = new ServingPolicyEvaluator(
            services.GetRequiredService<IAuthorizationService>(), registry, NullLogger<ServingPolicyEvaluator>.Instance, NullLogger<ApiKeyAuthenticationHandler>.Instance);
        var authenticated = (await registry.Authenticate(PredictKey)!)!;
        var context = new DefaultHttpContext { User = authenticated.Principal! };

        var policies = Enumerable.Range(0, ServingPolicyEvaluator.MaxKeyDecisions * 2)
            .Select(i => new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
                .RequireClaim(ServingClaims.Role, i % 2 == 0 ? ServingClaims.PredictRole : ServingClaims.AdminRole).Build())
            .ToList();
        for (var i = 0; i < policies.Count; i++)
        {
            var result = await evaluator.AuthorizeAsync(policies[i], authenticated, context, resource: null);
            (result.Succeeded, result.Forbidden).Should().Be((i % 2 == 0, i % 2 == 1), $"policy {i} asks for the {(i % 2 == 0 ? "predict" : "admin")} role");
        }

        evaluator.KeptDecisions.Should().Be(ServingPolicyEvaluator.MaxKeyDecisions);
        (await evaluator.AuthorizeAsync(policies[0], authenticated, context, resource: null)).Succeeded.Should().BeTrue("a kept answer is the same answer");
        (await evaluator.AuthorizeAsync(policies[^1], authenticated, context, resource: null)).Forbidden.Should().BeTrue("an answer past the bound is worked out again");
    }
}
