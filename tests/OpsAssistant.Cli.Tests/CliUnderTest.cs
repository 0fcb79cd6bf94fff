namespace OpsAssistant.Cli.Tests;

/// <summary>Where the process tests find the CLI they run.</summary>
internal static class CliUnderTest
{
    /// <summary>
    /// The program to start and the arguments that come before the CLI's own: <c>dotnet opsassistant.dll</c> for a
    /// framework-dependent build, the file itself for a native (ahead-of-time compiled) or apphost build.
    /// </summary>
    public static (string FileName, string[] Prefix) Command()
    {
        var path = AssemblyPath();
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", [path]) : (path, []);
    }

    /// <summary>
    /// The CLI as it is built on its own (src/OpsAssistant.Cli/bin/&lt;configuration&gt;/net10.0), not the copy in this
    /// test folder: this project references the ASP.NET Core framework for the fake server, so its folder lacks assemblies
    /// the CLI carries itself. <c>OPSASSISTANT_CLI</c> points the tests at another build of it: a published
    /// <c>opsassistant.dll</c>, or the native <c>opsassistant</c> executable (.ci/run does both).
    /// </summary>
    public static string AssemblyPath()
    {
        if (Environment.GetEnvironmentVariable("OPSASSISTANT_CLI") is { Length: > 0 } configured)
        {
            return configured;
        }

        return BuiltAssemblyPath();
    }

    /// <summary>
    /// Whether the CLI under test is the native (ahead-of-time compiled) build: an executable with no
    /// <c>opsassistant.dll</c> beside it (an apphost has one).
    /// </summary>
    public static bool IsNative =>
        !AssemblyPath().EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !File.Exists(Path.ChangeExtension(AssemblyPath(), ".dll"));

    /// <summary>The framework-dependent CLI built beside this repository, whatever <c>OPSASSISTANT_CLI</c> says.</summary>
    public static string BuiltAssemblyPath()
    {
        // .../tests/OpsAssistant.Cli.Tests/bin/<configuration>/net10.0/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var repository = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var cli = Path.Combine(repository, "src", "OpsAssistant.Cli", "bin", configuration, output.Name, "opsassistant.dll");
        return File.Exists(cli) ? cli : throw new FileNotFoundException($"The CLI is not built at {cli}; build src/OpsAssistant.Cli or set OPSASSISTANT_CLI.");
    }
}
