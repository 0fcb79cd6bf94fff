using System.IO.Compression;
using Grpc.Net.Compression;
using OpsAssistant.Server.Ingest;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>gRPC's <c>gzip</c> message encoding, inflating at most <c>OpsAssistant:Ingest:MaxDecompressedBytes</c>.</summary>
internal sealed class BoundedGzipCompressionProvider(IngestOptions limits) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "gRPC owns and disposes the stream this factory returns, and with it the inflater it wraps.")]
    public Stream CreateDecompressionStream(Stream stream) =>
        new BoundedReadStream(new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true), limits.MaxDecompressedBytes, nameof(IngestOptions.MaxDecompressedBytes));
}
