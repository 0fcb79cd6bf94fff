namespace OpsAssistant.Server.Ingest;

/// <summary>Limits on OTLP/HTTP ingest: <c>OpsAssistant:Ingest</c>.</summary>
internal sealed class IngestOptions
{
    public const string SectionName = "OpsAssistant:Ingest";

    /// <summary>Largest request body accepted on the wire (compressed or not); larger is 413.</summary>
    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest body after gzip decompression, so a small compressed bomb cannot exhaust memory; larger is 413.</summary>
    public long MaxDecompressedBytes { get; set; } = 128L * 1024 * 1024;
}
