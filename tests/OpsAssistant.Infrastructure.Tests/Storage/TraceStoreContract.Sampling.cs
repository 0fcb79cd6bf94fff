using OpsAssistant.Core.Sampling;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>The sampling-override part of the store contract, on every database the contract runs on.</summary>
public abstract partial class TraceStoreContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static SamplingOverride Override(string id, string service, double rate = 1.0, TimeSpan? ttl = null, string? trigger = null, DateTimeOffset? at = null) => new()
    {
        Id = id,
        Service = service,
        Rate = rate,
        CreatedAt = at ?? Now,
        ExpiresAt = (at ?? Now) + (ttl ?? TimeSpan.FromHours(1)),
        CreatedBy = "operator alice (key 0badc0de)",
        Reason = "incident 42",
        Trigger = trigger,
    };

    [Fact]
    public async Task TryAddOverride_ThenGetFromAnotherStore_RoundTripsEveryField()
    {
        var original = Override("so-1", "checkout", 0.25, trigger: "alert:abc");

        Assert.True(await Store.Overrides.TryAddOverrideAsync(original, 1.0, 5));
        var other = OpenAnotherStore();
        try
        {
            Assert.Equal(original, await other.Overrides.GetOverrideAsync("so-1"));
        }
        finally
        {
            await DisposeStoreAsync(other);
        }
    }

    [Fact]
    public async Task TryAddOverride_PastTheCeiling_IsRefusedUnlessTheServiceIsAlreadyFullOrTheRateIsLower()
    {
        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-1", "checkout"), 1.0, 2));
        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-2", "payment"), 1.0, 2));

        Assert.False(await Store.Overrides.TryAddOverrideAsync(Override("so-3", "cart"), 1.0, 2));
        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-4", "checkout"), 1.0, 2));
        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-5", "cart", rate: 0.5), 1.0, 2));
        Assert.Null(await Store.Overrides.GetOverrideAsync("so-3"));
    }

    [Fact]
    public async Task TryAddOverride_AfterAFullOverrideExpiredOrEnded_HasItsPlaceBack()
    {
        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-1", "checkout", ttl: TimeSpan.FromMinutes(1)), 1.0, 1));
        Assert.False(await Store.Overrides.TryAddOverrideAsync(Override("so-2", "payment"), 1.0, 1));

        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-3", "payment", at: Now.AddMinutes(2)), 1.0, 1));
        Assert.True(await Store.Overrides.EndOverrideAsync("so-3", "operator bob", Now.AddMinutes(3)));
        Assert.True(await Store.Overrides.TryAddOverrideAsync(Override("so-4", "cart", at: Now.AddMinutes(4)), 1.0, 1));
    }

    [Fact]
    public async Task ListOverrides_ActiveAt_LeavesOutExpiredAndEndedButTheAuditKeepsThemNewestFirst()
    {
        await Store.Overrides.TryAddOverrideAsync(Override("so-expired", "a", ttl: TimeSpan.FromMinutes(5)), 1.0, 5);
        await Store.Overrides.TryAddOverrideAsync(Override("so-ended", "b", at: Now.AddMinutes(1)), 1.0, 5);
        await Store.Overrides.TryAddOverrideAsync(Override("so-active", "c", at: Now.AddMinutes(2)), 1.0, 5);
        await Store.Overrides.EndOverrideAsync("so-ended", "operator bob", Now.AddMinutes(3));

        var active = await Store.Overrides.ListOverridesAsync(Now.AddMinutes(10), 100);
        var audit = await Store.Overrides.ListOverridesAsync(null, 100);

        Assert.Equal(["so-active"], active.Select(o => o.Id));
        Assert.Equal(["so-active", "so-ended", "so-expired"], audit.Select(o => o.Id));
        var ended = audit[1];
        Assert.Equal("operator bob", ended.EndedBy);
        Assert.Equal(Now.AddMinutes(3), ended.EndedAt);
    }

    [Fact]
    public async Task EndOverride_AlreadyEndedOrExpired_ReturnsFalseAndKeepsTheFirstEnding()
    {
        await Store.Overrides.TryAddOverrideAsync(Override("so-1", "checkout", ttl: TimeSpan.FromMinutes(10)), 1.0, 5);

        Assert.True(await Store.Overrides.EndOverrideAsync("so-1", "operator alice", Now.AddMinutes(1)));
        Assert.False(await Store.Overrides.EndOverrideAsync("so-1", "operator bob", Now.AddMinutes(2)));
        Assert.Equal("operator alice", (await Store.Overrides.GetOverrideAsync("so-1"))!.EndedBy);

        await Store.Overrides.TryAddOverrideAsync(Override("so-2", "payment", ttl: TimeSpan.FromMinutes(10)), 1.0, 5);
        Assert.False(await Store.Overrides.EndOverrideAsync("so-2", "operator bob", Now.AddMinutes(11)));
    }

    [Fact]
    public async Task EndOverrides_ByTriggerOrService_EndsOnlyTheMatchingOnesInForce()
    {
        await Store.Overrides.TryAddOverrideAsync(Override("so-1", "checkout", trigger: "alert:f1"), 1.0, 5);
        await Store.Overrides.TryAddOverrideAsync(Override("so-2", "payment", trigger: "alert:f1"), 1.0, 5);
        await Store.Overrides.TryAddOverrideAsync(Override("so-3", "checkout", trigger: "alert:f2"), 1.0, 5);
        await Store.Overrides.TryAddOverrideAsync(Override("so-4", "cart", rate: 0.5), 1.0, 5);

        var byTrigger = await Store.Overrides.EndOverridesAsync("alert:f1", null, "alert f1 resolved", Now.AddMinutes(1));
        var byService = await Store.Overrides.EndOverridesAsync(null, "checkout", "chat c1", Now.AddMinutes(2));

        Assert.Equal(["so-1", "so-2"], byTrigger.Select(o => o.Id).Order());
        Assert.All(byTrigger, o => Assert.Equal("alert f1 resolved", o.EndedBy));
        Assert.Equal(["so-3"], byService.Select(o => o.Id));
        Assert.Equal(["so-4"], (await Store.Overrides.ListOverridesAsync(Now.AddMinutes(3), 100)).Select(o => o.Id));
    }

    [Fact]
    public async Task PendingRaise_IsTakenOnceAndRemovedByItsTrigger()
    {
        await Store.Overrides.AddPendingRaiseAsync("alert-1", "alert:f1", "alert f1", Now);
        await Store.Overrides.AddPendingRaiseAsync("alert-1", "alert:other", "alert other", Now);
        await Store.Overrides.AddPendingRaiseAsync("alert-2", "alert:f2", "alert f2", Now);

        Assert.Equal(("alert:f1", "alert f1"), await Store.Overrides.TakePendingRaiseAsync("alert-1"));
        Assert.Null(await Store.Overrides.TakePendingRaiseAsync("alert-1"));
        Assert.Equal(1, await Store.Overrides.RemovePendingRaisesAsync("alert:f2"));
        Assert.Null(await Store.Overrides.TakePendingRaiseAsync("alert-2"));
    }
}
