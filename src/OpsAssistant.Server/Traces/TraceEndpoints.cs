using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Traces;

/// <summary>Stored traces: one by ID as OTLP/JSON (raw, or redacted for display), and search summaries (redacted).</summary>
internal static class TraceEndpoints
{
    public static IEndpointRouteBuilder MapTraceEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/traces").WithTags("Traces");
        group.MapGet("/{traceId}", GetTraceAsync)
            .WithName("GetTrace")
            .WithSummary("A stored trace as OTLP/JSON; ?redact=true masks secrets in names, status messages, attributes and events (the page's view).")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/", SearchAsync)
            .WithName("SearchTraces")
            .WithSummary("Stored traces, newest first, filtered by service, operation, time window and error.");
        return endpoints;
    }

    internal static async Task<Results<PushStreamHttpResult, ProblemHttpResult, ValidationProblem>> GetTraceAsync(
        string traceId, ITraceStore store, TraceReadCoalescer reads, SecretRedactor redactor, bool? redact, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(traceId, out var id))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["traceId"] = ["'traceId' must be 16 or 32 hexadecimal characters."] },
                title: "Invalid trace ID");
        }

        var trace = await reads.GetAsync(store, id.Value, cancellationToken);
        if (trace is null)
        {
            return TypedResults.Problem(
                $"No spans of trace {id} are stored.",
                statusCode: StatusCodes.Status404NotFound,
                title: "Trace not found");
        }

        return TypedResults.Stream(
            stream => OtlpJsonWriter.WriteAsync(stream, redact == true ? redactor.RedactSpans(trace.Spans) : trace.Spans, cancellationToken),
            "application/json");
    }

    internal static async Task<Results<Ok<IReadOnlyList<TraceSummary>>, ValidationProblem>> SearchAsync(
        ITraceStore store,
        SecretRedactor redactor,
        string? service,
        string? operation,
        string? from,
        string? to,
        string? error,
        string? limit,
        CancellationToken cancellationToken)
    {
        var query = TraceSearchRequest.TryParse(service, operation, from, to, error, limit, out var errors);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid trace search");
        }

        // A summary is shown, not the user's raw telemetry: its root operation is redacted like any other output.
        var found = await store.SearchAsync(query, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<TraceSummary>>([.. found.Select(t => t with { RootOperation = redactor.Redact(t.RootOperation) })]);
    }
}
