using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Server.Baselines;

/// <summary><c>GET /api/baselines?service=&amp;operation=</c>: what normal looks like for a service's operations, per span kind.</summary>
internal static class BaselineEndpoints
{
    private const int MaxNameLength = 1024;

    public static IEndpointRouteBuilder MapBaselineEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/baselines", GetAsync)
            .WithTags("Baselines")
            .WithName("GetBaselines")
            .WithSummary("Latency quantiles (p50, p90, p99), error rate and call count per operation and span kind of a service over the baseline window.");
        return endpoints;
    }

    internal static async Task<Results<Ok<BaselinesResponse>, ValidationProblem>> GetAsync(
        string? service, string? operation, RelationalBaselineStore store, IBaselineProvider provider, IOptions<BaselineOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(service) || service.Length > MaxNameLength)
        {
            return Invalid("service", $"'service' is required: a service name of 1 to {MaxNameLength} characters.");
        }

        if (operation is not null && (operation.Length == 0 || operation.Length > MaxNameLength))
        {
            return Invalid("operation", $"'operation' must be an operation name of 1 to {MaxNameLength} characters, or left out for all of the service's.");
        }

        var settings = options.Value;
        if (provider is RemoteBaselineProvider remote)
        {
            var remoteSet = await remote.GetServiceAsync(service, operation, cancellationToken);
            var now = clock.GetUtcNow();
            return TypedResults.Ok(new BaselinesResponse(service, operation, remoteSet.Source, now - settings.Window, now,
                remoteSet.Operations.Select(BaselineView.Of).ToList()));
        }

        if (!settings.IsStore)
        {
            var now = clock.GetUtcNow();
            return TypedResults.Ok(new BaselinesResponse(service, operation, "none", now - settings.Window, now, []));
        }

        var set = await store.GetServiceAsync(service, operation, cancellationToken);
        var to = clock.GetUtcNow();
        return TypedResults.Ok(new BaselinesResponse(service, operation, set.Source, to - settings.Window, to,
            set.Operations.Select(BaselineView.Of).ToList()));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid '{field}'");
}

/// <summary>The body of <c>GET /api/baselines</c>.</summary>
internal sealed record BaselinesResponse(string Service, string? Operation, string Source, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<BaselineView> Operations);

/// <summary>One operation's baseline on one side of its calls.</summary>
internal sealed record BaselineView(string Service, string Operation, string Kind, double P50Ms, double P90Ms, double P99Ms, double ErrorRate, long Count, DateTimeOffset From, DateTimeOffset To)
{
    public static BaselineView Of(OperationBaseline b) =>
        new(b.Service, b.Operation, OperationKey.KindName(b.Kind), b.P50Ms, b.P90Ms, b.P99Ms, b.ErrorRate, b.Count, b.From, b.To);
}
