using System.Globalization;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Repairs one span's timestamps instead of refusing the trace: a single exporter bug (negative time, garbage
/// string, end before start) should cost a warning, not the whole analysis.
/// </summary>
internal static class SpanTimes
{
    /// <summary>Returns usable (start, end) Unix nanoseconds; a problem is described in <paramref name="warnings"/>.</summary>
    public static (long Start, long End) Repair(long? start, string? startProblem, long? end, string? endProblem, string spanId, List<string> warnings)
    {
        if (start is null)
        {
            warnings.Add($"span {spanId}: start time {startProblem ?? "missing"}; {(end is >= 0 ? "set to its end time" : "set to 0")}");
            start = end is >= 0 ? end : 0;
        }
        else if (start < 0)
        {
            warnings.Add($"span {spanId}: negative start time {start.Value.ToString(CultureInfo.InvariantCulture)} clamped to 0");
            start = 0;
        }

        if (end is null)
        {
            warnings.Add($"span {spanId}: end time {endProblem ?? "missing"}; set to its start time");
            end = start;
        }
        else if (end < start)
        {
            warnings.Add($"span {spanId}: end time precedes start time by {(start.Value - end.Value).ToString(CultureInfo.InvariantCulture)} ns; set to its start time");
            end = start;
        }

        return (start.Value, end.Value);
    }

    /// <summary>Converts microseconds (Jaeger, Zipkin) to nanoseconds; null with a reason when the result cannot be represented.</summary>
    public static long? MicrosToNanos(long micros, out string? problem)
    {
        problem = null;
        if (micros > long.MaxValue / 1000 || micros < long.MinValue / 1000)
        {
            problem = "overflows when converted from microseconds to nanoseconds";
            return null;
        }

        return micros * 1000;
    }
}
