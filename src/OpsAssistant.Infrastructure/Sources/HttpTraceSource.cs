using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Telemetry;
using Trace = OpsAssistant.Core.Model.Trace;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>
/// A trace backend's HTTP query API. The HttpClient comes from IHttpClientFactory with the standard resilience handler
/// (retries on 5xx/429/timeouts); this class turns what finally comes back into a trace, null for 404, or a
/// <see cref="TraceSourceException"/> that says what the backend did wrong.
/// </summary>
public abstract partial class HttpTraceSource : ITraceSource
{
    private const int MaxErrorBodyChars = 200;

    protected HttpTraceSource(HttpClient httpClient, ILogger logger)
    {
        HttpClient = httpClient;
        Logger = logger;
    }

    public abstract string Name { get; }

    protected HttpClient HttpClient { get; }

    protected ILogger Logger { get; }

    public async Task<Trace?> GetTraceAsync(string traceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        if (!TraceId.TryParse(traceId, out _))
        {
            throw new ArgumentException($"'{traceId}' is not a 16- or 32-character hex trace ID.", nameof(traceId));
        }

        if (HttpClient.BaseAddress is null)
        {
            throw new TraceSourceException(Name, $"The {Name} source has no URL: set {TraceSourceOptions.SectionName}:Url.");
        }

        var path = RelativePath(traceId.Trim().ToLowerInvariant());
        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity($"fetch trace {Name}", ActivityKind.Internal);
        activity?.SetTag("opsassistant.source", Name);
        activity?.SetTag("opsassistant.trace_id", traceId);
        try
        {
            var trace = await FetchAsync(path, traceId, cancellationToken).ConfigureAwait(false);
            Record(trace is null ? "not_found" : "found");
            return trace;
        }
        catch (TraceSourceException ex)
        {
            Record("error");
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    /// <summary>The request path relative to the configured base URL.</summary>
    protected abstract string RelativePath(string traceId);

    private async Task<Trace?> FetchAsync(string path, string traceId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/json");
        HttpResponseMessage response;
        try
        {
            response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new TraceSourceException(Name, $"{Name} at {HttpClient.BaseAddress} could not be reached: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is TimeoutException or Polly.Timeout.TimeoutRejectedException)
        {
            // The resilience handler's attempt/total timeouts surface as Polly's TimeoutRejectedException, not TimeoutException.
            throw new TraceSourceException(Name, $"{Name} at {HttpClient.BaseAddress} did not answer in time.", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TraceSourceException(Name, $"{Name} at {HttpClient.BaseAddress} did not answer in time.", ex);
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException ex)
        {
            throw new TraceSourceException(Name, $"{Name} at {HttpClient.BaseAddress} is failing; requests are paused by the circuit breaker.", ex);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                LogNotFound(Logger, traceId, Name);
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                var body = await ReadSnippetAsync(response, cancellationToken).ConfigureAwait(false);
                var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? $" Check the credentials the source is given ({TraceSourceOptions.SectionName}:BearerToken, Username/Password, OrgId or Headers)."
                    : "";
                throw new TraceSourceException(Name, $"{Name} answered HTTP {(int)response.StatusCode} ({response.StatusCode}) for trace {traceId}: {body}{hint}");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && (mediaType.Contains("html", StringComparison.OrdinalIgnoreCase) || mediaType.Contains("xml", StringComparison.OrdinalIgnoreCase)))
            {
                throw new TraceSourceException(Name, $"{Name} answered {mediaType}, not JSON, for {path}: is {TraceSourceOptions.SectionName}:Url the {Name} query API rather than its UI or a proxy's login page?");
            }

            byte[] content;
            try
            {
                content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Headers came, then the body stopped: a connection cut or a timeout mid-body.
                throw new TraceSourceException(Name, $"{Name} at {HttpClient.BaseAddress} broke off its answer for {path}: {ex.Message}", ex);
            }

            var trimmed = content.AsSpan().TrimStart(" \t\r\n\uFEFF"u8);
            if (trimmed.IsEmpty)
            {
                return null;
            }

            if (trimmed[0] == (byte)'<')
            {
                throw new TraceSourceException(Name, $"{Name} answered HTML or XML, not JSON, for {path}: is {TraceSourceOptions.SectionName}:Url the {Name} query API?");
            }

            TraceReadResult result;
            try
            {
                result = TraceReader.Read(content);
            }
            catch (TraceFormatException ex)
            {
                throw new TraceSourceException(Name, $"{Name} answered something that is not a trace: {ex.Message}", ex);
            }

            return result.Traces.FirstOrDefault(t => TraceIds.SameTrace(t.TraceId, traceId))
                ?? (result.Traces.Count == 1 ? result.Traces[0] : null);
        }
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = text.ReplaceLineEndings(" ").Trim();
            return text.Length <= MaxErrorBodyChars ? text : string.Concat(text.AsSpan(0, MaxErrorBodyChars), "...");
        }
        catch (HttpRequestException)
        {
            return "(no readable body)";
        }
    }

    private void Record(string outcome) =>
        OpsAssistantTelemetry.TraceFetches.Add(1, new KeyValuePair<string, object?>("opsassistant.source", Name), new KeyValuePair<string, object?>("opsassistant.outcome", outcome));

    [LoggerMessage(Level = LogLevel.Information, Message = "Trace {TraceId} not found in {TraceSource}")]
    private static partial void LogNotFound(ILogger logger, string traceId, string traceSource);
}
