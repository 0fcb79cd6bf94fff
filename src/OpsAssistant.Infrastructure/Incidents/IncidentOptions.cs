using System.ComponentModel.DataAnnotations;

namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>Incidents (window comparisons for alerts without a trace ID, and <c>POST /api/incidents</c>): <c>OpsAssistant:Incidents</c>.</summary>
public sealed class IncidentOptions
{
    public const string SectionName = "OpsAssistant:Incidents";

    /// <summary>The alert window when a request gives only its end (or nothing), and the window before an alert's start.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "OpsAssistant:Incidents:DefaultWindow must be between 1 minute and 1 day.")]
    public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest alert window a request may ask for (the window before has the same length).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "OpsAssistant:Incidents:MaxWindow must be between 1 minute and 7 days.")]
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Traces read per window at most; a busier window is sampled uniformly (by trace ID) and the result says so.</summary>
    [Range(100, 1_000_000, ErrorMessage = "OpsAssistant:Incidents:MaxTracesPerWindow must be between 100 and 1000000.")]
    public int MaxTracesPerWindow { get; set; } = 10_000;

    /// <summary>Slow or failed traces analysed per incident (each is a full analysis, with the LLM when one is configured).</summary>
    [Range(0, 10, ErrorMessage = "OpsAssistant:Incidents:Exemplars must be between 0 and 10.")]
    public int Exemplars { get; set; } = 3;

    /// <summary>Attempts per alert incident before it is marked failed.</summary>
    [Range(1, 20, ErrorMessage = "OpsAssistant:Incidents:MaxAttempts must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long a worker's claim on an alert incident lasts before another replica may take it over.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "OpsAssistant:Incidents:Lease must be between 5 seconds and 1 hour.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the worker looks for queued alert incidents it was not told about.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "OpsAssistant:Incidents:PollInterval must be between 10 ms and 1 hour.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
