namespace OpsAssistant.Cli.Tests;

/// <summary>Where the process tests find the CLI they run.</summary>
internal static class CliUnderTest
{
    /// <summary>
    /// The CLI as it is built on its own (src/OpsAssistant.Cli/bin/&lt;configuration&gt;/net10.0), not the copy in this
    /// test folder: this project references the ASP.NET Core framework for the fake server, so its folder lacks assemblies
    /// the CLI carries itself. <c>OPSASSISTANT_CLI</c> points the tests at another build of it (a published one, say).
    /// </summary>
    public static string AssemblyPath()
    {
        if (Environment.GetEnvironmentVariable("OPSASSISTANT_CLI") is { Length: > 0 } configured)
        {
            return configured;
        }

        // .../tests/OpsAssistant.Cli.Tests/bin/<configuration>/net10.0/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var repository = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var cli = Path.Combine(repository, "src", "OpsAssistant.Cli", "bin", configuration, output.Name, "opsassistant.dll");
        return File.Exists(cli) ? cli : throw new FileNotFoundException($"The CLI is not built at {cli}; build src/OpsAssistant.Cli or set OPSASSISTANT_CLI.");
    }
}
