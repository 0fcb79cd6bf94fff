using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Server.Hosting;

/// <summary>
/// The service's console log format: one line per entry (<c>info: Category[event] message</c>), the message redacted with
/// the prompt's rules and its control characters escaped, so neither a secret nor a forged line from a span name, alert or
/// request reaches the log. An exception follows on indented lines, each escaped and redacted the same way.
/// </summary>
internal sealed class SafeConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options, SecretRedactor redactor) : ConsoleFormatter(Name)
{
    public new const string Name = "opsassistant";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        if (options.CurrentValue.TimestampFormat is { Length: > 0 } format)
        {
            var now = options.CurrentValue.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            textWriter.Write(now.ToString(format, System.Globalization.CultureInfo.InvariantCulture));
        }

        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write("] ");
        textWriter.WriteLine(Clean(message ?? ""));
        if (logEntry.Exception is { } refusal && IsRefusal(refusal))
        {
            // A start refused for its configuration is not a crash: its message names the key, a stack trace would bury it.
            textWriter.Write("      ");
            textWriter.WriteLine(Clean(refusal.Message));
        }
        else if (logEntry.Exception is { } exception)
        {
            foreach (var line in exception.ToString().Split('\n'))
            {
                textWriter.Write("      ");
                textWriter.WriteLine(Clean(line.TrimEnd('\r')));
            }
        }
    }

    private static bool IsRefusal(Exception exception) => exception switch
    {
        OptionsValidationException or StartupRefusedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsRefusal),
        _ => false,
    };

    private string Clean(string text) => ControlCharacters.Escape(redactor.Redact(text));

    private static string Level(Microsoft.Extensions.Logging.LogLevel level) => level switch
    {
        Microsoft.Extensions.Logging.LogLevel.Trace => "trce",
        Microsoft.Extensions.Logging.LogLevel.Debug => "dbug",
        Microsoft.Extensions.Logging.LogLevel.Information => "info",
        Microsoft.Extensions.Logging.LogLevel.Warning => "warn",
        Microsoft.Extensions.Logging.LogLevel.Error => "fail",
        Microsoft.Extensions.Logging.LogLevel.Critical => "crit",
        _ => "none",
    };
}
