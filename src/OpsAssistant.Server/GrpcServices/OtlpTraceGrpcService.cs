using Google.Protobuf;
using Grpc.Core;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Telemetry;
using OpsAssistant.Server.Ingest;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// OTLP/gRPC <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>. The request arrives as raw protobuf and
/// goes through the same hand-written reader as OTLP/HTTP; spans that fail their own checks are left out and reported
/// as partial success (<c>rejected_spans</c> and an <c>error_message</c> naming them), the rest are stored in one
/// transaction. Bad input ends with the status codes the OTLP specification gives exporters to act on.
/// </summary>
internal sealed partial class OtlpTraceGrpcService(
    ITraceStore store,
    IngestMemoryBudget budget,
    ILogger<OtlpTraceGrpcService> logger,
    OpsAssistant.Infrastructure.Baselines.BaselineRecorder? baselines = null)
{
    public const string ServiceName = "opentelemetry.proto.collector.trace.v1.TraceService";

    /// <summary>How many rejected spans the partial-success message names before it counts the rest.</summary>
    internal const int NamedRejections = 10;

    public async Task<byte[]> ExportAsync(byte[] request, ServerCallContext context)
    {
        // gRPC has read the message whole before this call, so the budget cannot refuse it before it is read, as OTLP/HTTP's
        // does; it still takes a turn to decode and charges the message, then its decoded spans, until they are stored, in
        // the same budget as OTLP/HTTP: the two ports together hold no more than Ingest:MaxBufferedBytes.
        using var lease = await TakeBudgetAsync(request.Length, context.CancellationToken);
        var rejections = new List<string>();
        IReadOnlyList<Span> spans;
        try
        {
            spans = lease.Decode(() => OtlpProtobufReader.Read(request, rejections));
        }
        catch (TraceFormatException ex)
        {
            LogRejected(logger, ex.Message);
            throw Reject("malformed", StatusCode.InvalidArgument, ex.Message);
        }

        if (spans.Count > 0)
        {
            try
            {
                await store.AddSpansAsync(spans as IReadOnlyCollection<Span> ?? [.. spans], context.CancellationToken);
            }
            catch (System.Data.Common.DbException ex) when (StorageFailures.Classify(ex) is var failure and not StorageFailure.None)
            {
                // The batch is one transaction: nothing of it was stored. UNAVAILABLE is the status OTLP exporters retry.
                LogNotStored(logger, ex, failure);
                throw failure == StorageFailure.Busy
                    ? Reject("store_busy", StatusCode.Unavailable, "The trace store is locked by another writer; nothing of this export was stored. Retry shortly.")
                    : Reject("store_full", StatusCode.ResourceExhausted, "The trace store is out of space; nothing of this export was stored. Free or grow the database, then resend.");
            }

            baselines?.Record(spans);
        }

        OpsAssistantTelemetry.IngestedSpans.Add(spans.Count, new KeyValuePair<string, object?>("opsassistant.ingest.encoding", "grpc"));
        if (rejections.Count > 0)
        {
            LogPartial(logger, spans.Count, rejections.Count);
        }

        return EncodeResponse(rejections);
    }

    /// <summary>A turn to decode and the message's share of the budget; UNAVAILABLE (which exporters retry) when there is none.</summary>
    private async Task<IngestMemoryBudget.Lease> TakeBudgetAsync(long bytes, CancellationToken cancellationToken)
    {
        IngestMemoryBudget.Lease lease;
        try
        {
            lease = await budget.OpenAsync(cancellationToken);
        }
        catch (MemoryBudgetExceededException ex)
        {
            throw Reject("busy", StatusCode.Unavailable, ex.Message);
        }

        try
        {
            lease.Reserve(bytes);
            return lease;
        }
        catch (MemoryBudgetExceededException ex)
        {
            lease.Dispose();
            throw Reject("memory_budget", StatusCode.Unavailable, ex.Message);
        }
    }

    /// <summary>
    /// An <c>ExportTraceServiceResponse</c>: empty when everything was accepted (zero bytes), else its
    /// <c>partial_success</c> (field 1) holding <c>rejected_spans</c> (1, int64) and <c>error_message</c> (2, string).
    /// </summary>
    internal static byte[] EncodeResponse(IReadOnlyList<string> rejections)
    {
        if (rejections.Count == 0)
        {
            return [];
        }

        // Span names are the sender's own text, but a name can be long: each reason is cut so the message stays small.
        var named = string.Join("; ", rejections.Take(NamedRejections).Select(r => r.Length <= 300 ? r : r[..300] + "…"));
        var message = rejections.Count > NamedRejections ? $"{named}; and {rejections.Count - NamedRejections} more" : named;
        using var partial = new ByteArrayWriter();
        partial.Output.WriteTag(1, WireFormat.WireType.Varint);
        partial.Output.WriteInt64(rejections.Count);
        partial.Output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        partial.Output.WriteString($"{rejections.Count} span(s) rejected: {message}");
        var partialBytes = partial.ToArray();

        using var response = new ByteArrayWriter();
        response.Output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        response.Output.WriteBytes(ByteString.CopyFrom(partialBytes));
        return response.ToArray();
    }

    private static RpcException Reject(string reason, StatusCode status, string detail)
    {
        OpsAssistantTelemetry.IngestRejections.Add(1, new KeyValuePair<string, object?>("error.type", reason));
        return new RpcException(new Status(status, detail));
    }

    private sealed class ByteArrayWriter : IDisposable
    {
        private readonly MemoryStream _buffer = new();

        public void Dispose()
        {
            Output.Dispose();
            _buffer.Dispose();
        }

        public ByteArrayWriter() => Output = new CodedOutputStream(_buffer);

        public CodedOutputStream Output { get; }

        public byte[] ToArray()
        {
            Output.Flush();
            return _buffer.ToArray();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected OTLP/gRPC export: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTLP/gRPC export not stored: the trace store is {StorageFailure}")]
    private static partial void LogNotStored(ILogger logger, Exception exception, StorageFailure storageFailure);

    [LoggerMessage(Level = LogLevel.Information, Message = "OTLP/gRPC export stored {SpanCount} spans and rejected {RejectedCount}")]
    private static partial void LogPartial(ILogger logger, int spanCount, int rejectedCount);
}
