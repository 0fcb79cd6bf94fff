using Microsoft.Extensions.Options;
using OpsAssistant.Core.Baselines;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// The one answer to "what is normal for this service's operations": <c>GET /api/baselines</c>, the chat's and the MCP
/// server's <c>get_baselines</c> all ask here, so they check names and shape the answer alike.
/// </summary>
public sealed class BaselineCatalog(RelationalBaselineStore store, IBaselineProvider provider, IOptions<BaselineOptions> options, TimeProvider clock)
{
    public const int MaxNameLength = 1024;

    /// <summary>
    /// As <see cref="GetAsync"/>, with <paramref name="at"/> as the caller wrote it: an ISO 8601 / RFC 3339 instant (UTC when
    /// it has no offset), or null for now. The HTTP endpoint and both tools take it as text, so they refuse it alike.
    /// </summary>
    public Task<BaselineLookup> LookupAsync(string? service, string? operation, string? at, CancellationToken cancellationToken = default)
    {
        if (at is null)
        {
            return GetAsync(service, operation, null, cancellationToken);
        }

        return DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
            ? GetAsync(service, operation, parsed, cancellationToken)
            : Task.FromResult(BaselineLookup.Invalid("at", "'at' must be an ISO 8601 instant such as 2025-06-02T09:57:08Z, or left out for now."));
    }

    /// <summary>
    /// The baselines of a service's operations (one operation's, when named) as of <paramref name="at"/> (now when null), the
    /// window an analysis of a trace starting then is judged against; or the field at fault and why.
    /// </summary>
    public async Task<BaselineLookup> GetAsync(string? service, string? operation, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(service) || service.Length > MaxNameLength)
        {
            return BaselineLookup.Invalid("service", $"'service' is required: a service name of 1 to {MaxNameLength} characters.");
        }

        if (operation is not null && (operation.Length == 0 || operation.Length > MaxNameLength))
        {
            return BaselineLookup.Invalid("operation", $"'operation' must be an operation name of 1 to {MaxNameLength} characters, or left out for all of the service's.");
        }

        var settings = options.Value;
        var now = clock.GetUtcNow();
        var asOf = BaselineWindow.NotAfter(at ?? now, now);
        if (provider is RemoteBaselineProvider remote)
        {
            var remoteSet = await remote.GetServiceAsync(service, operation, asOf, cancellationToken).ConfigureAwait(false);
            var (remoteFrom, remoteTo) = remote.WindowAsOf(asOf);
            return new BaselineLookup(
                new BaselinesAnswer(service, operation, remoteSet.Source, remoteFrom, remoteTo, remoteSet.Operations.Select(BaselineView.Of).ToList()), null, null);
        }

        if (!settings.IsStore)
        {
            return new BaselineLookup(new BaselinesAnswer(service, operation, BaselineSet.Empty.Source, asOf - settings.Window, asOf, []), null, null);
        }

        var set = await store.GetServiceAsync(service, operation, asOf, cancellationToken).ConfigureAwait(false);
        var (from, to) = store.WindowAsOf(asOf);
        return new BaselineLookup(
            new BaselinesAnswer(service, operation, set.Source, from, to, set.Operations.Select(BaselineView.Of).ToList()), null, null);
    }
}

/// <summary>Either an answer or the field at fault (<see cref="Field"/>) with a message saying what it must be.</summary>
public sealed record BaselineLookup(BaselinesAnswer? Answer, string? Field, string? Message)
{
    public static BaselineLookup Invalid(string field, string message) => new(null, field, message);
}

/// <summary>The body of <c>GET /api/baselines</c> and of the <c>get_baselines</c> tools.</summary>
public sealed record BaselinesAnswer(string Service, string? Operation, string Source, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<BaselineView> Operations);

/// <summary>One operation's baseline on one side of its calls.</summary>
public sealed record BaselineView(string Service, string Operation, string Kind, double P50Ms, double P90Ms, double P99Ms, double ErrorRate, long Count, DateTimeOffset From, DateTimeOffset To)
{
    public static BaselineView Of(OperationBaseline b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return new(b.Service, b.Operation, OperationKey.KindName(b.Kind), b.P50Ms, b.P90Ms, b.P99Ms, b.ErrorRate, b.Count, b.From, b.To);
    }
}
