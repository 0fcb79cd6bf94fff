using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Core.Model;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>GET /traces/{traceId}</c>: the path form of the page's deep link, for trace UIs whose link templates put the ID in a
/// path. It redirects to <c>/?traceId=</c> with a relative location, so a service behind a path prefix keeps its prefix.
/// </summary>
internal static class DeepLinkEndpoints
{
    public static IEndpointRouteBuilder MapDeepLinkEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/traces/{traceId}", OpenTrace)
            .WithName("OpenTraceInPage")
            .WithTags("Page")
            .WithSummary("Opens the operator's page on a trace and analyses it (redirects to /?traceId=).");
        return endpoints;
    }

    internal static Results<RedirectHttpResult, ValidationProblem> OpenTrace(string traceId)
    {
        if (!TraceId.TryParse(traceId, out var id))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["traceId"] = ["A trace ID is 16 or 32 hexadecimal characters."] }, title: "Invalid 'traceId'");
        }

        return TypedResults.Redirect($"../?traceId={id}");
    }
}
