using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Server.Ingest;

/// <summary>
/// OTLP/HTTP trace ingest (<c>POST /v1/traces</c>), binary protobuf or JSON, optionally gzip-compressed. A request is
/// stored whole or not at all, so the answer is an empty <c>ExportTraceServiceResponse</c> (no partial success).
/// Errors are problem details; OTLP exporters act on the status code alone.
/// </summary>
internal static partial class OtlpIngestEndpoints
{
    public const string ProtobufContentType = "application/x-protobuf";

    public static IEndpointRouteBuilder MapOtlpIngestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/traces", IngestAsync)
            .WithName("IngestOtlpTraces")
            .WithTags("Ingest")
            .WithSummary("OTLP/HTTP trace export (application/x-protobuf or application/json, gzip allowed).")
            .WithDescription("The body is read by hand rather than bound, so an unsupported Content-Type gets a 415 that says which types work.")
            .DisableAntiforgery();
        return endpoints;
    }

    internal static async Task<Results<FileContentHttpResult, ContentHttpResult, ProblemHttpResult>> IngestAsync(
        HttpContext context,
        ITraceStore store,
        IOptions<IngestOptions> options,
        IngestMemoryBudget budget,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(OtlpIngestEndpoints));
        var request = context.Request;
        var encoding = ContentEncoding(request);
        if (encoding is null)
        {
            return Reject("unsupported_encoding", StatusCodes.Status415UnsupportedMediaType, "Unsupported content encoding",
                $"Content-Encoding '{request.Headers.ContentEncoding}' is not supported; send identity or gzip.");
        }

        var protobuf = IsMediaType(request, ProtobufContentType) || IsMediaType(request, "application/protobuf");
        if (!protobuf && !IsMediaType(request, "application/json"))
        {
            return Reject("unsupported_media_type", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Content-Type '{request.ContentType}' is not supported; OTLP/HTTP uses {ProtobufContentType} or application/json.");
        }

        // The request's share of the memory budget (its body, then the spans decoded from it) is held until they are stored.
        IngestMemoryBudget.Lease lease;
        try
        {
#pragma warning disable CA2000 // Disposed by 'using var held' below once the catch has ruled out a refusal.
            lease = await budget.OpenAsync(cancellationToken);
#pragma warning restore CA2000
        }
        catch (MemoryBudgetExceededException ex)
        {
            context.Response.Headers.RetryAfter = options.Value.BudgetRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Reject("busy", StatusCodes.Status503ServiceUnavailable, "Service busy", ex.Message);
        }

        using var held = lease;
        IReadOnlyList<Span> spans;
        try
        {
            var body = await BoundedBody.ReadAsync(request, encoding == "gzip", options.Value, budget, lease, cancellationToken);

            // The body itself is not needed past this point: its charge becomes the decoded spans'.
            spans = lease.Decode(() => protobuf ? OtlpProtobufReader.Read(body) : ReadJson(body));
        }
        catch (MemoryBudgetExceededException ex)
        {
            context.Response.Headers.RetryAfter = options.Value.BudgetRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Reject("memory_budget", StatusCodes.Status503ServiceUnavailable, "Service busy", ex.Message);
        }
        catch (PayloadTooLargeException ex)
        {
            return Reject("too_large", StatusCodes.Status413PayloadTooLarge, "Payload too large", ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Reject("too_large", StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"The request body is larger than the limit ({IngestOptions.SectionName}:MaxRequestBytes) of {options.Value.MaxRequestBytes} bytes.");
        }
        catch (Exception ex) when (ex is TraceFormatException or InvalidDataException)
        {
            LogRejected(logger, ex.Message);
            return Reject("malformed", StatusCodes.Status400BadRequest, "Malformed OTLP payload", ex.Message);
        }

        try
        {
            await store.AddSpansAsync(spans as IReadOnlyCollection<Span> ?? [.. spans], cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (StorageFailures.Classify(ex) is var failure and not StorageFailure.None)
        {
            // The batch is one transaction: on either failure nothing of it was stored, so the exporter may resend it whole.
            LogNotStored(logger, ex, failure);
            if (failure == StorageFailure.Busy)
            {
                context.Response.Headers.RetryAfter = "5";
                return Reject("store_busy", StatusCodes.Status503ServiceUnavailable, "Trace store busy",
                    "The trace store is locked by another writer; nothing of this export was stored. Retry shortly.");
            }

            return Reject("store_full", StatusCodes.Status507InsufficientStorage, "Trace store full",
                "The trace store is out of space; nothing of this export was stored. Free or grow the database, then resend.");
        }

        context.RequestServices.GetService<OpsAssistant.Infrastructure.Baselines.BaselineRecorder>()?.Record(spans);
        var wireFormat = protobuf ? "protobuf" : "json";
        OpsAssistantTelemetry.IngestedSpans.Add(spans.Count, new KeyValuePair<string, object?>("opsassistant.ingest.encoding", wireFormat));
        LogIngested(logger, spans.Count, wireFormat);

        // An empty ExportTraceServiceResponse encodes to zero bytes; its JSON form is {}.
        return protobuf
            ? TypedResults.Bytes(Array.Empty<byte>(), ProtobufContentType)
            : TypedResults.Text("{}", "application/json");
    }

    private static List<Span> ReadJson(byte[] body)
    {
        // An export with no spans is valid OTLP ({} or empty resourceSpans) and the reader is for files, which must hold some.
        // The empty forms are recognised only once the reader has refused the body, so a normal export is parsed once.
        if (body.AsSpan().Trim(" \t\r\n"u8).SequenceEqual("{}"u8))
        {
            return [];
        }

        try
        {
            return [.. TraceReader.Read(body).Traces.SelectMany(t => t.Spans)];
        }
        catch (TraceFormatException) when (IsEmptyResourceSpans(body))
        {
            return [];
        }
    }

    private static bool IsEmptyResourceSpans(byte[] json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("resourceSpans", out var resourceSpans)
                && resourceSpans.ValueKind == System.Text.Json.JsonValueKind.Array
                && resourceSpans.EnumerateArray().All(r => r.ValueKind == System.Text.Json.JsonValueKind.Object
                    && (!r.TryGetProperty("scopeSpans", out var s) || (s.ValueKind == System.Text.Json.JsonValueKind.Array && s.GetArrayLength() == 0)));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string? ContentEncoding(HttpRequest request)
    {
        var value = request.Headers.ContentEncoding.ToString().Trim();
        return value.Length == 0 || value.Equals("identity", StringComparison.OrdinalIgnoreCase) ? "identity"
            : value.Equals("gzip", StringComparison.OrdinalIgnoreCase) ? "gzip"
            : null;
    }

    private static bool IsMediaType(HttpRequest request, string mediaType) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed)
        && parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);

    private static ProblemHttpResult Reject(string reason, int status, string title, string detail)
    {
        OpsAssistantTelemetry.IngestRejections.Add(1, new KeyValuePair<string, object?>("error.type", reason));
        return TypedResults.Problem(detail, statusCode: status, title: title);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected OTLP export: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTLP export not stored: the trace store is {StorageFailure}")]
    private static partial void LogNotStored(ILogger logger, Exception exception, StorageFailure storageFailure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingested {SpanCount} spans over OTLP/{Encoding}")]
    private static partial void LogIngested(ILogger logger, int spanCount, string encoding);
}
