using System.IO.MemoryMappedFiles;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Cli;

/// <summary>
/// Reads a trace file for <c>analyze</c> through a read-only memory map instead of copying it into the heap. The reader
/// parses the page cache directly, and the file's pages leave the process as soon as the model is built, so the analysis
/// and prompt that follow do not stack their memory on a heap copy of the file that the buffer pool would keep
/// (docs/performance.md, "CLI start-up"). Pipes and empty files take the stream path.
/// </summary>
internal static class CliTraceFile
{
    /// <exception cref="TraceFormatException">Not a trace, or larger than <see cref="TraceReadOptions.MaxBytes"/>.</exception>
    /// <exception cref="MultipleTracesException">Several traces and no <paramref name="traceId"/>.</exception>
    public static async Task<Trace> ReadSingleAsync(string path, string? traceId, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            if (!file.CanSeek || file.Length == 0)
            {
                return await TraceReader.ReadSingleAsync(file, traceId, null, cancellationToken).ConfigureAwait(false);
            }

            var limit = TraceReadOptions.Default.MaxBytes;
            if (file.Length > limit)
            {
                throw new TraceFormatException($"The input is larger than {limit:N0} bytes, the configured maximum.");
            }

            return ReadMapped(file, traceId);
        }
    }

    private static unsafe Trace ReadMapped(FileStream file, string? traceId)
    {
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(0, file.Length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            return TraceReader.Single(TraceReader.Read(new ReadOnlySpan<byte>(pointer + view.PointerOffset, checked((int)file.Length))), traceId);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
