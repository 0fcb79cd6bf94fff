using System.IO.Compression;

namespace OpsAssistant.Server.Ingest;

/// <summary>Reads a request body into memory, decompressing gzip, and stops at the configured limits.</summary>
internal static class BoundedBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, bool gzip, IngestOptions limits, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            throw new PayloadTooLargeException($"The request body is {request.ContentLength} bytes; the limit ({IngestOptions.SectionName}:MaxRequestBytes) is {limits.MaxRequestBytes}.");
        }

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Chunked bodies have no Content-Length: Kestrel enforces the limit as they stream in.
            sizeFeature.MaxRequestBodySize = limits.MaxRequestBytes;
        }

        if (!gzip)
        {
            return await CopyAsync(request.Body, limits.MaxRequestBytes, $"{IngestOptions.SectionName}:MaxRequestBytes", cancellationToken);
        }

        await using var decompressed = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        return await CopyAsync(decompressed, limits.MaxDecompressedBytes, $"{IngestOptions.SectionName}:MaxDecompressedBytes", cancellationToken);
    }

    private static async Task<byte[]> CopyAsync(Stream source, long limit, string limitKey, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new PayloadTooLargeException($"The request body is larger than the limit ({limitKey}) of {limit} bytes.");
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return buffer.ToArray();
    }
}
