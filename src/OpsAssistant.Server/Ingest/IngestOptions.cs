namespace OpsAssistant.Server.Ingest;

/// <summary>Limits on OTLP ingest bodies (HTTP and gRPC) and the server-wide memory budget for them: <c>OpsAssistant:Ingest</c>. The webhooks have their own limit (<c>OpsAssistant:Webhooks:MaxRequestBytes</c>).</summary>
internal sealed class IngestOptions
{
    public const string SectionName = "OpsAssistant:Ingest";

    /// <summary>Largest request body accepted on the wire (compressed or not); larger is 413.</summary>
    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest body after gzip decompression, so a small compressed bomb cannot exhaust memory; larger is 413.</summary>
    public long MaxDecompressedBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Memory all request bodies together may hold at once, decompressed, across the service; past it a request is refused
    /// with 503 and Retry-After. At least <see cref="MaxDecompressedBytes"/>, so one largest request always fits.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Bodies read (and decompressed) at once; more wait in line. Half the cores: decompressing is CPU work, and the other
    /// half keeps health checks and the API answering while a burst of large or hostile bodies is read.
    /// </summary>
    public int MaxConcurrentBodies { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Bodies that may wait for their turn; past that a request is refused with 503 and Retry-After.</summary>
    public int MaxQueuedBodies { get; set; } = 256;

    /// <summary>Seconds a client refused for lack of budget is told to wait (Retry-After).</summary>
    public int BudgetRetryAfterSeconds { get; set; } = 2;

    /// <summary>
    /// Where the gRPC server (OTLP <c>TraceService/Export</c>, Jaeger <c>SamplingManager</c>) listens, cleartext HTTP/2:
    /// loopback port 4317 unless set. Empty turns it off. Port 0 picks a free port.
    /// </summary>
    public string? GrpcUrl { get; set; } = DefaultGrpcUrl;

    public const string DefaultGrpcUrl = "http://127.0.0.1:4317";
}
