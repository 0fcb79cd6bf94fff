using System.Diagnostics.CodeAnalysis;

namespace OpsAssistant.Tests;

/// <summary>
/// The external programs some tests need (a PostgreSQL server, Debian's Chromium). Where one is missing the test is
/// reported as skipped, with the reason and the way to provide it, never as passed; under <c>CI=true</c> a missing
/// dependency fails the test instead, because <c>bash .ci/run</c> installs and starts all of them.
/// </summary>
public static class TestDependencies
{
    public const string PostgresVariable = "OPSASSISTANT_TEST_POSTGRES";
    public const string ChromiumVariable = "OPSASSISTANT_CHROMIUM";
    public const string DefaultChromium = "/usr/bin/chromium";
    public const string PrometheusVariable = "OPSASSISTANT_PROMETHEUS";
    public const string DefaultPrometheus = "/usr/bin/prometheus";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The PostgreSQL connection string the store tests run against; skips (or fails on CI) without one.</summary>
    public static string PostgresConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            Missing($"PostgreSQL: {PostgresVariable} is not set. Set it to the connection string of a database in which the tests may create schemas (e.g. Host=127.0.0.1;Username=...;Password=...;Database=...), or run `bash .ci/run`, which installs and starts one.");
        }

        return value;
    }

    /// <summary>The Chromium executable the page tests drive; skips (or fails on CI) when it is absent.</summary>
    public static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable(ChromiumVariable);
        path = string.IsNullOrWhiteSpace(path) ? DefaultChromium : path;
        if (!File.Exists(path))
        {
            Missing($"Chromium: no browser at {path}. Install Debian's chromium package (`apt-get install chromium`) or set {ChromiumVariable} to a Chromium executable, or run `bash .ci/run`, which installs it.");
        }

        return path;
    }

    /// <summary>
    /// Debian's Prometheus server (its promtool sits beside it) the span-metrics baseline tests start; skips (or fails on CI)
    /// when it is absent.
    /// </summary>
    public static (string Prometheus, string Promtool) PrometheusPaths()
    {
        var path = Environment.GetEnvironmentVariable(PrometheusVariable);
        path = string.IsNullOrWhiteSpace(path) ? DefaultPrometheus : path;
        var promtool = Path.Combine(Path.GetDirectoryName(path) ?? "", "promtool");
        if (!File.Exists(path) || !File.Exists(promtool))
        {
            Missing($"Prometheus: no prometheus and promtool at {path}. Install Debian's prometheus package (`apt-get install prometheus`) or set {PrometheusVariable} to a prometheus executable with promtool beside it, or run `bash .ci/run`, which installs it.");
        }

        return (path, promtool);
    }

    [DoesNotReturn]
    private static void Missing(string reason)
    {
        if (OnCi)
        {
            throw new InvalidOperationException($"{reason} CI=true requires every test dependency.");
        }

        Assert.Skip(reason);
    }
}
