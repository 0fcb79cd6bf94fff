using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// A baseline source behind an HTTP query API (Prometheus, Tempo). The HttpClient comes from IHttpClientFactory with the
/// standard resilience handler; whatever goes wrong (unreachable, timed out, an error status, an answer of another shape)
/// is logged as a warning and the analysis goes on without baselines: history sharpens an analysis, its absence must
/// never fail one. A lookup as of an instant evaluates the source's queries over the window that ends at the start of the
/// instant's minute (<see cref="WindowAsOf(DateTimeOffset)"/>): the trace's own minute, and what follows, is left out.
/// </summary>
public abstract partial class RemoteBaselineProvider(HttpClient httpClient, ILogger logger, TimeProvider time) : IBaselineProvider
{
    private const int MaxErrorBodyChars = 200;

    /// <summary>What <see cref="BaselineSet.Source"/> says for baselines from here.</summary>
    public abstract string Source { get; }

    protected HttpClient HttpClient { get; } = httpClient;

    protected TimeProvider Time { get; } = time;

    /// <summary>The length of the window a baseline covers (<see cref="BaselineOptions.Window"/>).</summary>
    protected abstract TimeSpan Window { get; }

    /// <summary>
    /// The window a lookup as of <paramref name="asOf"/> covers: <see cref="Window"/> ending at the start of the minute holding
    /// <paramref name="asOf"/> (an instant in the future counts as now). A whole minute, not the instant: spans are counted
    /// into span metrics when they end and scraped some seconds later, so the trace's own minute would hold its first calls.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To) WindowAsOf(DateTimeOffset asOf) =>
        BaselineWindow.AsOf(asOf, Time.GetUtcNow(), TimeSpan.FromMinutes(1), Window);

    public async ValueTask<BaselineSet> GetBaselinesAsync(IReadOnlyCollection<OperationKey> operations, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            return BaselineSet.Empty;
        }

        // The query selects services × operations; only the pairs asked for are kept.
        var asked = new HashSet<(string, string)>(operations.Select(o => (o.Service.ToUpperInvariant(), o.Operation.ToUpperInvariant())));
        return await QuerySafelyAsync([.. operations.Select(o => o.Service)], [.. operations.Select(o => o.Operation)], WindowAsOf(asOf),
            b => asked.Contains((b.Service.ToUpperInvariant(), b.Operation.ToUpperInvariant())), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every operation of a service (or the one named), names compared exactly, as of an instant: what <c>GET /api/baselines</c> serves.</summary>
    public Task<BaselineSet> GetServiceAsync(string service, string? operation, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        return QuerySafelyAsync([service], operation is null ? null : [operation], WindowAsOf(asOf),
            b => b.Service == service && (operation is null || b.Operation == operation), cancellationToken);
    }

    /// <summary>
    /// The baselines the source holds for the services' operations (all of them when <paramref name="operations"/> is null)
    /// over <paramref name="window"/>, or more: the caller keeps the ones it asked for.
    /// </summary>
    protected abstract Task<IReadOnlyList<OperationBaseline>> QueryAsync(
        IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations, (DateTimeOffset From, DateTimeOffset To) window, CancellationToken cancellationToken);

    /// <summary>The regular expression body selecting the operations: exactly these, or any when null.</summary>
    protected static string OperationsRegex(IReadOnlyCollection<string>? operations) => operations is null ? ".+" : ExactNamesRegex(operations);

    private async Task<BaselineSet> QuerySafelyAsync(
        IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations, (DateTimeOffset From, DateTimeOffset To) window, Func<OperationBaseline, bool> keep, CancellationToken cancellationToken)
    {
        try
        {
            var found = await QueryAsync(services, operations, window, cancellationToken).ConfigureAwait(false);
            return new BaselineSet(found.Where(keep), Source);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or OperationCanceledException or JsonException
                                       or BaselineSourceException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            LogUnavailable(logger, Source, HttpClient.BaseAddress, ex.Message, ex);
            return BaselineSet.Empty;
        }
    }

    /// <summary>Sends the request and reads its JSON answer; an error status becomes a <see cref="BaselineSourceException"/>.</summary>
    protected async Task<JsonDocument> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (HttpClient.BaseAddress is null)
        {
            throw new BaselineSourceException($"{Source} has no URL.");
        }

        request.Headers.Accept.ParseAdd("application/json");
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new BaselineSourceException($"{Source} answered {(int)response.StatusCode}: {(body.Length > MaxErrorBodyChars ? body[..MaxErrorBodyChars] : body)}");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An anchored regular expression (RE2 syntax, as Prometheus and Tempo use) matching exactly the given names, case-insensitively
    /// (Zipkin lower-cases span names), written as the body of a double-quoted PromQL/TraceQL string: every metacharacter is
    /// escaped, then every backslash and quote for the string literal, so no name can change the query.
    /// </summary>
    public static string ExactNamesRegex(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var regex = new StringBuilder("(?i)^(?:");
        var first = true;
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            if (!first)
            {
                regex.Append('|');
            }

            first = false;
            foreach (var c in name)
            {
                if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
                {
                    regex.Append('\\');
                }

                regex.Append(c);
            }
        }

        regex.Append(")$");
        return StringLiteralBody(regex.ToString());
    }

    /// <summary>A value written inside a double-quoted PromQL/TraceQL string.</summary>
    public static string StringLiteralBody(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => sb.Append(@"\\"),
                '"' => sb.Append("\\\""),
                '\n' => sb.Append(@"\n"),
                '\r' => sb.Append(@"\r"),
                '\t' => sb.Append(@"\t"),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    /// <summary>A span kind as span metrics write it (<c>SPAN_KIND_SERVER</c>, <c>server</c>, or OTLP's number).</summary>
    protected static SpanKind ParseKind(string? value)
    {
        if (value is null)
        {
            return SpanKind.Unspecified;
        }

        var name = value.StartsWith("SPAN_KIND_", StringComparison.OrdinalIgnoreCase) ? value["SPAN_KIND_".Length..] : value;
        if (OperationKey.TryParseKind(name, out var kind))
        {
            return kind;
        }

        return int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 5
            ? (SpanKind)n
            : SpanKind.Unspecified;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Baselines from {Source} at {Url} unavailable, analysing without them: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string source, Uri? url, string reason, Exception exception);
}

/// <summary>A baseline source answered with an error or with something that is not its API's answer.</summary>
public sealed class BaselineSourceException : Exception
{
    public BaselineSourceException()
    {
    }

    public BaselineSourceException(string message)
        : base(message)
    {
    }

    public BaselineSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
