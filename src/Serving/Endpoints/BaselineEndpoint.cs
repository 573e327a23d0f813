using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Endpoints;

/// <summary>
/// <c>POST /baseline</c>: reads the body and answers a constant JSON prediction, through the same middleware as the
/// predict routes. Only mapped when Serving:BaselineEndpoint is true; the benchmark compares predict against it.
/// </summary>
public static class BaselineEndpoint
{
    private static readonly byte[] Answer = """{"model":"baseline","version":"1","predictions":[{"score":1}]}"""u8.ToArray();

    public static IEndpointRouteBuilder MapBaselineEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/baseline", async (HttpContext context) =>
            {
                try
                {
                    using var body = await RequestBody.ReadAsync(context.Request, 1024 * 1024, context.RequestAborted);
                }
                catch (BadHttpRequestException ex)
                {
                    // A body cut short (a load generator stopping mid-request): the client's error, as on the predict routes.
                    context.Response.StatusCode = ex.StatusCode;
                    return;
                }
                catch (ServingException ex)
                {
                    // Too large, or not UTF-8.
                    await Problems.From(ex).ExecuteAsync(context);
                    return;
                }

                context.Response.ContentType = "application/json; charset=utf-8";
                context.Response.ContentLength = Answer.Length;
                await context.Response.Body.WriteAsync(Answer, context.RequestAborted);
            })
            .RequireServingAccess()
            .ExcludeFromDescription();
        return app;
    }
}
