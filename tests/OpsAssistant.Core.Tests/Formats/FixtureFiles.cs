using System.Text;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>Helpers for reading the copied trace fixtures and in-memory JSON.</summary>
internal static class FixtureFiles
{
    public static string Path(string relative) =>
        System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "traces", relative);

    public static Task<TraceReadResult> ReadAsync(string relative) => TraceReader.ReadFileAsync(Path(relative));

    /// <summary>Reads through a stream that cannot seek, like an ASP.NET request body.</summary>
    public static Task<TraceReadResult> ReadJsonAsync(string json, TraceReadOptions? options = null) =>
        TraceReader.ReadAsync(new NonSeekableStream(Encoding.UTF8.GetBytes(json)), options);

    public static Span SpanById(this Trace trace, string spanId) => trace.Spans.Single(s => s.SpanId == spanId);
}
