using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Server.Notifications;

/// <summary>
/// Posts one notification (a typed HttpClient behind the standard resilience handler). Delivery is at-least-once, so each
/// request carries the analysis ID as <c>Idempotency-Key</c> for receivers that deduplicate.
/// </summary>
internal sealed class AnalysisNotifier(HttpClient http, IOptions<NotificationOptions> options, SecretRedactor redactor)
{
    /// <summary>Null when delivered; otherwise why not, for the log and the retry decision.</summary>
    public async Task<string?> SendAsync(AnalysisRecord analysis, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Url is null)
        {
            return "no notification URL is configured";
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            // The receiver is outside the service (often a chat channel): alert text and results leave redacted.
            Content = JsonContent.Create(NotificationMessage.Render(redactor.Redact(analysis), settings.Format, settings.PublicBaseUrl)),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", analysis.Id);
        if (!string.IsNullOrEmpty(settings.Authorization))
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(settings.Authorization);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException ex)
        {
            return $"the receiver could not be reached ({ex.HttpRequestError})";
        }
        catch (Exception ex) when (ex is TimeoutException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            && !cancellationToken.IsCancellationRequested)
        {
            return ex is Polly.CircuitBreaker.BrokenCircuitException ? "the receiver's circuit is open after repeated failures" : "the receiver timed out";
        }
    }
}
