using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Security settings are checked at start, each mistake naming its field and never a key; a legacy plain-string key
/// still starts, as an admin key, with a warning.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class SecurityConfigurationTests(TrainedModelsFixture fixture)
{
    private const string Secret = "secret-0123456789abcdef";

    public static TheoryData<string[], string> Mistakes => new()
    {
        { ["Serving:ApiKeys:0:Id=ci", "Serving:ApiKeys:0:Key=" + Secret], "Serving:ApiKeys:0:Role is required: predict or admin" },
        { ["Serving:ApiKeys:0:Id=ci", "Serving:ApiKeys:0:Key=" + Secret, "Serving:ApiKeys:0:Role=root"], "Serving:ApiKeys:0:Role 'root' is not predict or admin" },
        { ["Serving:ApiKeys:0:Key=" + Secret, "Serving:ApiKeys:0:Role=admin"], "Serving:ApiKeys:0:Id is required" },
        {
            ["Serving:ApiKeys:0:Id=ci", "Serving:ApiKeys:0:Key=" + Secret, "Serving:ApiKeys:0:Role=admin",
             "Serving:ApiKeys:1:Id=CI", "Serving:ApiKeys:1:Key=other-0123456789abcdef", "Serving:ApiKeys:1:Role=predict"],
            "Serving:ApiKeys:1:Id 'CI' is used twice (also Serving:ApiKeys:0:Id)"
        },
        {
            ["Serving:ApiKeys:0:Id=a", "Serving:ApiKeys:0:Key=" + Secret, "Serving:ApiKeys:0:Role=admin",
             "Serving:ApiKeys:1:Id=b", "Serving:ApiKeys:1:Key=" + Secret, "Serving:ApiKeys:1:Role=predict"],
            "Serving:ApiKeys:1:Key is the same key as Serving:ApiKeys:0"
        },
        { ["Serving:ApiKeys:0:Id=ci", "Serving:ApiKeys:0:Key=secret-short", "Serving:ApiKeys:0:Role=predict"], "Serving:ApiKeys:0:Key: an API key must have at least 16 characters" },
        { ["Serving:ApiKeys:0=secret-short"], "Serving:ApiKeys:0: an API key must have at least 16 characters" },
        {
            ["Serving:Jwt:Authority=https://login.microsoftonline.com/tenant/v2.0", "Serving:Jwt:Audience=api://serving", "Serving:Jwt:AdminRole=Model.Admin"],
            "Serving:Jwt:PredictRole is required when Serving:Jwt:Authority is set"
        },
        { ["Serving:ForwardedHeaders:KnownNetworks:0=10.0.0.0/33"], "Serving:ForwardedHeaders:KnownNetworks:0 '10.0.0.0/33' is not a network in CIDR notation" },
        { ["Serving:ForwardedHeaders:KnownProxies:0=proxy.local"], "Serving:ForwardedHeaders:KnownProxies:0 'proxy.local' is not an IP address" },
        { ["Serving:Limits:MaxConcurrentRequests=-1"], "Serving:Limits:MaxConcurrentRequests must not be negative" },
        { ["Serving:Ui:OidcClientId=11111111-2222-3333-4444-555555555555"], "Serving:Ui:OidcClientId needs Serving:Jwt:Authority" },
        { ["Serving:Ui:StoreRefresh=00:00:00"], "Serving:Ui:SignInLifetime and Serving:Ui:StoreRefresh must be positive" },
        { ["Serving:Monitoring:QueueBytes=65536"], "Serving:Monitoring:QueueBytes must be at least 1048576" },
    };

    /// <summary>
    /// The options as the app binds and validates them at start (Program.cs's registrations, in process: a host that
    /// fails to start under WebApplicationFactory sometimes surfaces as ObjectDisposedException instead of the reason).
    /// </summary>
    private static ServingOptions Start(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddOptions<ServingOptions>().Bind(configuration.GetSection(ServingOptions.Section));
        services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        services.AddServingSecurity(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ServingOptions>>().Value;
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_stops_the_start_naming_the_field_and_never_the_key(string[] settings, string expected)
    {
        var start = () => Start(settings.Select(s => s.Split('=', 2)).Select(p => new KeyValuePair<string, string?>(p[0], p[1])));

        var failure = start.Should().Throw<OptionsValidationException>().Which.Message;
        failure.Should().Contain(expected).And.NotContain(Secret).And.NotContain("secret-short");
    }

    [Fact]
    public void Object_and_plain_string_keys_are_read_in_order_with_their_roles()
    {
        var options = Start(new Dictionary<string, string?>
        {
            ["Serving:ApiKeys:0:Id"] = "ci-predict",
            ["Serving:ApiKeys:0:Key"] = "predict-0123456789abcdef",
            ["Serving:ApiKeys:0:Role"] = "predict",
            ["Serving:ApiKeys:1"] = Secret,
        });

        options.ApiKeys.Select(k => (k.Id, k.Role, k.IsPlainKey)).Should().Equal(("ci-predict", "predict", false), ("key-1", "admin", true));
    }

    [Fact]
    public async Task A_plain_string_key_starts_as_an_admin_key_with_a_one_line_warning()
    {
        var logs = new CapturedLogs();
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?>
        {
            ["Serving:Store"] = SecurityTestSupport.EmptyStore(),
            ["Serving:ApiKeys:0:Id"] = "ci",
            ["Serving:ApiKeys:0:Key"] = "predict-0123456789abcdef",
            ["Serving:ApiKeys:0:Role"] = "predict",
            ["Serving:ApiKeys:1"] = Secret,
        });
        using var logged = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));

        // An admin route past authorization: 404 for a model the empty store lacks, not 401 or 403.
        var response = await logged.WithKey(Secret).PostAsync("/models/none/reload", SecurityTestSupport.EmptyJson());

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        var warnings = logs.Messages.Where(m => m.Contains("Serving:ApiKeys:", StringComparison.Ordinal)).ToList();
        warnings.Should().ContainSingle().Which.Should().Contain("Serving:ApiKeys:1 is a plain key, served as an admin key with id key-1").And.NotContain(Secret);
    }

    private sealed class CapturedLogs : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
