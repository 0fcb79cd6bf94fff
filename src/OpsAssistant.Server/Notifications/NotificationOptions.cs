using System.ComponentModel.DataAnnotations;

namespace OpsAssistant.Server.Notifications;

/// <summary>
/// Where finished alert analyses are announced: <c>OpsAssistant:Notifications</c>. The URL comes from configuration only,
/// never from an alert, so no request can make the service post to an address of its choosing.
/// </summary>
internal sealed class NotificationOptions
{
    public const string SectionName = "OpsAssistant:Notifications";

    /// <summary>The receiver (absolute http/https); unset means no notifications.</summary>
    public Uri? Url { get; set; }

    public NotificationFormat Format { get; set; } = NotificationFormat.Json;

    /// <summary>Sent as the Authorization header when set, e.g. "Bearer …" for a generic receiver.</summary>
    public string? Authorization { get; set; }

    /// <summary>The service's address as operators reach it, for links in messages (e.g. https://rca.example.com).</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Deliveries per analysis before it is given up (each is itself retried by the resilience handler).</summary>
    [Range(1, 50, ErrorMessage = "OpsAssistant:Notifications:MaxAttempts must be between 1 and 50.")]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait before the second delivery; each later one waits twice as long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "OpsAssistant:Notifications:RetryDelay must be between 0 and 1 hour.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Total time for one delivery, retries by the resilience handler included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "OpsAssistant:Notifications:Timeout must be between 1 second and 10 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Notifications posted at once.</summary>
    [Range(1, 64, ErrorMessage = "OpsAssistant:Notifications:Concurrency must be between 1 and 64.")]
    public int Concurrency { get; set; } = 4;

    /// <summary>How often pending notifications are looked for when nothing signals (another replica's, or after a restart).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "OpsAssistant:Notifications:PollInterval must be between 10 ms and 1 hour.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
