namespace OpsAssistant.Server.Ingest;

/// <summary>Limits on OTLP/HTTP ingest: <c>OpsAssistant:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "OpsAssistant:Ingest";

    /// <summary>Largest request body accepted on the wire (compressed or not); larger is 413.</summary>
    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest body after gzip decompression, so a small compressed bomb cannot exhaust memory; larger is 413.</summary>
    public long MaxDecompressedBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Where the gRPC server (OTLP <c>TraceService/Export</c>, Jaeger <c>SamplingManager</c>) listens, cleartext HTTP/2:
    /// loopback port 4317 unless set. Empty turns it off. Port 0 picks a free port.
    /// </summary>
    public string? GrpcUrl { get; set; } = DefaultGrpcUrl;

    public const string DefaultGrpcUrl = "http://127.0.0.1:4317";
}
