using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NSubstitute;
using OpsAssistant.Core.Sampling;
using OpsAssistant.Infrastructure.Sampling;

namespace OpsAssistant.Infrastructure.Tests.Sampling;

/// <summary>What an alert storm's raises leave in the log: a line for the raise, a counted line for the alerts that joined it.</summary>
public sealed class SamplingOverrideServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly RecordingLogger _logger = new();
    private readonly TimeProvider _clock = Substitute.For<TimeProvider>();
    private readonly SamplingOverrideService _service;

    public SamplingOverrideServiceTests()
    {
        _clock.GetUtcNow().Returns(Start);
        var options = Substitute.For<IOptionsMonitor<SamplingOptions>>();
        options.CurrentValue.Returns(new SamplingOptions());
        _service = new SamplingOverrideService(Substitute.For<ISamplingOverrideStore>(), options, _clock, _logger);
    }

    [Fact]
    public void Report_AlertsJoiningARaisedService_AreLoggedAtDebugAndCountedInOneInformationLineAMinute()
    {
        _service.Report(Raise("first"), SamplingWriteOutcome.Created);
        for (var n = 0; n < 5; n++)
        {
            _service.Report(Raise($"joined-{n}"), SamplingWriteOutcome.Joined);
        }

        Assert.Equal([LogLevel.Information, .. Enumerable.Repeat(LogLevel.Debug, 5)], _logger.Lines.Select(line => line.Level));

        _clock.GetUtcNow().Returns(Start + SamplingOverrideService.JoinedSummaryInterval);
        _service.Report(Raise("joined-late"), SamplingWriteOutcome.Joined);

        Assert.Equal([LogLevel.Debug, LogLevel.Information], _logger.Lines[^2..].Select(line => line.Level));
        Assert.StartsWith("Sampling of checkout: 6 more alerts raised it", _logger.Lines[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_ARedeliveryInForce_LogsNothingAndTheCeilingAWarning()
    {
        _service.Report(Raise("again"), SamplingWriteOutcome.InForce);
        _service.Report(Raise("refused"), SamplingWriteOutcome.CeilingReached);

        Assert.Equal([LogLevel.Warning], _logger.Lines.Select(line => line.Level));
    }

    private AlertSamplingWrite Raise(string fingerprint) =>
        _service.PrepareRaise(new SamplingOverrideRequest("checkout", 1.0, TimeSpan.FromHours(1), "alert HighLatency firing", $"alert {fingerprint}", $"alert:{fingerprint}"))
        ?? throw new InvalidOperationException("The raise is valid.");

    /// <summary>Keeps each line as written (the generated loggers reuse their state object once the call returns).</summary>
    private sealed class RecordingLogger : ILogger<SamplingOverrideService>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
