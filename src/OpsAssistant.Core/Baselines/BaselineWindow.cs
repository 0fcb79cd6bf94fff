namespace OpsAssistant.Core.Baselines;

/// <summary>
/// The window a trace is judged against: a fixed length of history ending at the start of the unit (a bucket, a minute)
/// that holds the instant asked about, so the trace's own spans are never part of its baseline. An instant in the future
/// counts as now: there is no history after now to judge against.
/// </summary>
public static class BaselineWindow
{
    /// <summary><paramref name="asOf"/>, or <paramref name="now"/> when it lies after now.</summary>
    public static DateTimeOffset NotAfter(DateTimeOffset asOf, DateTimeOffset now) => asOf < now ? asOf : now;

    /// <summary>The <paramref name="length"/> of history ending where the <paramref name="unit"/> holding the instant begins.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) AsOf(DateTimeOffset asOf, DateTimeOffset now, TimeSpan unit, TimeSpan length)
    {
        var to = DateTimeOffset.FromUnixTimeMilliseconds(UnitStart(NotAfter(asOf, now).ToUnixTimeMilliseconds(), (long)unit.TotalMilliseconds));
        return (to - length, to);
    }

    /// <summary>
    /// The start of the <paramref name="unitMs"/>-long unit holding <paramref name="unixMs"/>, rounding down before the epoch
    /// too. The recorder's buckets and the windows judged against them both use it, so they cannot disagree on a boundary.
    /// </summary>
    public static long UnitStart(long unixMs, long unitMs) => unixMs - (((unixMs % unitMs) + unitMs) % unitMs);
}
