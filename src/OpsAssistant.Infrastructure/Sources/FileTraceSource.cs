using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>
/// A directory of JSON trace files in any supported format (or one file). Files whose name contains the trace ID are
/// tried first (the usual naming of downloads); only when none holds the trace are the other files scanned.
/// Unreadable files are skipped, so one stray file does not hide every other trace.
/// </summary>
public sealed partial class FileTraceSource(IOptions<TraceSourceOptions> options, ILogger<FileTraceSource> logger) : ITraceSource
{
    public string Name => "file";

    public async Task<Trace?> GetTraceAsync(string traceId, CancellationToken cancellationToken = default)
    {
        if (!TraceId.TryParse(traceId, out var id))
        {
            throw new ArgumentException($"'{traceId}' is not a 16- or 32-character hex trace ID.", nameof(traceId));
        }

        var root = options.Value.Path;
        if (string.IsNullOrWhiteSpace(root))
        {
            throw new TraceSourceException(Name, $"The file source has no path: set {TraceSourceOptions.SectionName}:Path.");
        }

        var files = File.Exists(root)
            ? [root]
            : Directory.Exists(root)
                ? Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
                : throw new TraceSourceException(Name, $"{TraceSourceOptions.SectionName}:Path '{root}' is neither a directory nor a file.");

        var normalized = id.Value;
        var shortId = normalized[16..];
        bool NameMatches(string file)
        {
            var name = System.IO.Path.GetFileName(file);
            return name.Contains(normalized, StringComparison.OrdinalIgnoreCase) || name.Contains(shortId, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var file in files.Where(NameMatches).Concat(files.Where(f => !NameMatches(f))))
        {
            var trace = await TryReadAsync(file, traceId, cancellationToken).ConfigureAwait(false);
            if (trace is not null)
            {
                return trace;
            }
        }

        LogNotFound(logger, traceId, files.Count, root);
        return null;
    }

    private async Task<Trace?> TryReadAsync(string file, string traceId, CancellationToken cancellationToken)
    {
        try
        {
            var result = await TraceReader.ReadFileAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.Traces.FirstOrDefault(t => TraceIds.SameTrace(t.TraceId, traceId));
        }
        catch (Exception ex) when (ex is TraceFormatException or IOException or UnauthorizedAccessException)
        {
            LogSkipped(logger, ex, file);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trace {TraceId} not found in {FileCount} files under {TracePath}")]
    private static partial void LogNotFound(ILogger logger, string traceId, int fileCount, string tracePath);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {TraceFile}: not a readable trace file")]
    private static partial void LogSkipped(ILogger logger, Exception exception, string traceFile);
}
