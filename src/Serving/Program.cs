using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MLPipeline.Serving.Discovery;
using MLPipeline.Serving.Endpoints;
using MLPipeline.Serving.Monitoring;
using MLPipeline.Serving.OpenApi;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Rollout;
using MLPipeline.Serving.Security;
using MLPipeline.Serving.Ui;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<ServingOptions>()
    .Bind(builder.Configuration.GetSection(ServingOptions.Section))
    .ValidateOnStart();
builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ServingOptions>, ServingOptionsValidator>();

// Security is wired from configuration as read now (keys, authority, limits are start-time settings).
var serving = builder.Configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = serving.Limits.MaxBodyBytes);
builder.Services.AddServingSecurity(builder.Configuration);

builder.Services.AddPredictionEnginePool();
builder.Services.AddModelDiscovery();
builder.Services.AddSingleton<ModelResolver>();
builder.Services.AddSingleton<PredictPipeline>();
builder.Services.AddMonitoring();
builder.Services.AddRollouts(serving);
builder.Services.AddModelHealthChecks();
builder.Services.AddProblemDetails();
builder.Services.AddServingOpenApi();
if (serving.Ui.Enabled)
{
    builder.Services.AddUi(builder.Configuration);
}

var app = builder.Build();

app.UseServingForwardedHeaders();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // A body Kestrel refuses (too large, cut short) is the client's error, not a 500.
    StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : ex is JsonException ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();
app.UseServingSecurity();

app.MapOpenApi();
app.MapScalarApiReference();
app.MapHealthEndpoints();
app.MapMetricsEndpoint();
app.MapPredictEndpoints();
app.MapModelAdminEndpoints();
app.MapModelDocumentEndpoint();
app.MapMonitoringEndpoints();
app.MapInferenceProtocolEndpoints();
if (serving.Ui.Enabled)
{
    app.MapUi();
}
if (serving.BaselineEndpoint)
{
    app.MapBaselineEndpoint();
}

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
