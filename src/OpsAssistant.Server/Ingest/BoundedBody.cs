using System.IO.Compression;

namespace OpsAssistant.Server.Ingest;

/// <summary>
/// Reads a request body into memory, decompressing gzip, and stops at the configured limits: the request's own (413) and the
/// server-wide <see cref="IngestMemoryBudget"/> (503), which is charged for every byte held as it is read.
/// </summary>
internal static class BoundedBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, bool gzip, IngestOptions limits, IngestMemoryBudget budget, IngestMemoryBudget.Lease lease,
        CancellationToken cancellationToken)
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
            return request.ContentLength is { } length
                ? await ReadExactAsync(request.Body, length, lease, cancellationToken)
                : await CopyAsync(request.Body, limits.MaxRequestBytes, $"{IngestOptions.SectionName}:MaxRequestBytes", lease, budget.Chunks, cancellationToken);
        }

        await using var decompressed = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        return await CopyAsync(decompressed, limits.MaxDecompressedBytes, $"{IngestOptions.SectionName}:MaxDecompressedBytes", lease, budget.Chunks, cancellationToken);
    }

    /// <summary>A body of known length goes straight into one array of that size: no growth, no copy.</summary>
    private static async Task<byte[]> ReadExactAsync(Stream source, long length, IngestMemoryBudget.Lease lease, CancellationToken cancellationToken)
    {
        lease.Reserve(length);
        var body = new byte[length];
        await source.ReadExactlyAsync(body, cancellationToken);
        return body;
    }

    /// <summary>
    /// A body of unknown length is read in pooled chunks, each charged before it is rented, then joined into one array; the
    /// chunks go back to the pool once copied. Unlike a growing MemoryStream this never holds a doubled buffer, and a refused
    /// request leaves no garbage behind. The array takes over the chunks' charge (it is never larger than they are) rather
    /// than being charged again: charged twice, a body of more than half the budget could never be accepted.
    /// </summary>
    private static async Task<byte[]> CopyAsync(Stream source, long limit, string limitKey, IngestMemoryBudget.Lease lease, System.Buffers.ArrayPool<byte> pool,
        CancellationToken cancellationToken)
    {
        const int chunkBytes = IngestMemoryBudget.ChunkBytes;
        var chunks = new List<(byte[] Buffer, int Count)>();
        long kept = 0;
        try
        {
            long total = 0;
            while (true)
            {
                lease.Reserve(chunkBytes);
                var chunk = pool.Rent(chunkBytes);
                var filled = 0;
                chunks.Add((chunk, 0));
                int read;
                while (filled < chunkBytes && (read = await source.ReadAsync(chunk.AsMemory(filled, chunkBytes - filled), cancellationToken)) > 0)
                {
                    filled += read;
                    if (total + filled > limit)
                    {
                        throw new PayloadTooLargeException($"The request body is larger than the limit ({limitKey}) of {limit} bytes.");
                    }
                }

                total += filled;
                chunks[^1] = (chunk, filled);
                if (filled < chunkBytes)
                {
                    break;
                }
            }

            var body = new byte[total];
            var offset = 0;
            foreach (var (buffer, count) in chunks)
            {
                buffer.AsSpan(0, count).CopyTo(body.AsSpan(offset));
                offset += count;
            }

            kept = total;
            return body;
        }
        finally
        {
            foreach (var (buffer, _) in chunks)
            {
                pool.Return(buffer);
            }

            // What the body keeps stays charged to the lease until the request is done with it.
            lease.Release(((long)chunks.Count * chunkBytes) - kept);
        }
    }
}
