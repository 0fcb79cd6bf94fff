using OpsAssistant.Core.Baselines;

namespace OpsAssistant.Core.Tests.Baselines;

public sealed class BaselineWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 34, 56, TimeSpan.Zero);

    [Fact]
    public void AsOf_PastInstant_EndsWhereItsUnitBegins()
    {
        var (from, to) = BaselineWindow.AsOf(new DateTimeOffset(2026, 12, 5, 9, 17, 30, TimeSpan.Zero), Now, TimeSpan.FromMinutes(5), TimeSpan.FromHours(24));

        Assert.Equal(new DateTimeOffset(2026, 12, 5, 9, 15, 0, TimeSpan.Zero), to);
        Assert.Equal(to - TimeSpan.FromHours(24), from);
    }

    [Fact]
    public void AsOf_FutureInstant_CountsAsNow()
    {
        var (_, to) = BaselineWindow.AsOf(Now.AddDays(3), Now, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

        Assert.Equal(new DateTimeOffset(2026, 12, 5, 12, 34, 0, TimeSpan.Zero), to);
        Assert.Equal(Now, BaselineWindow.NotAfter(Now.AddSeconds(1), Now));
    }

    [Fact]
    public void AsOf_InstantOnAUnitBoundary_LeavesThatUnitOut()
    {
        var boundary = new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

        var (_, to) = BaselineWindow.AsOf(boundary, Now, TimeSpan.FromHours(1), TimeSpan.FromDays(1));

        Assert.Equal(boundary, to);
    }

    [Fact]
    public void AsOf_InstantBeforeTheEpoch_RoundsDownNotTowardZero()
    {
        var (_, to) = BaselineWindow.AsOf(DateTimeOffset.FromUnixTimeMilliseconds(-90_000), Now, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(-120_000), to);
    }

    [Theory]
    [InlineData(0L, 60_000L, 0L)]
    [InlineData(59_999L, 60_000L, 0L)]
    [InlineData(60_000L, 60_000L, 60_000L)]
    [InlineData(-1L, 60_000L, -60_000L)]
    [InlineData(-60_000L, 60_000L, -60_000L)]
    public void UnitStart_AnyInstant_IsTheStartOfTheUnitHoldingIt(long unixMs, long unitMs, long expected) =>
        Assert.Equal(expected, BaselineWindow.UnitStart(unixMs, unitMs));
}
