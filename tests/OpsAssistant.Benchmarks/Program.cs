using BenchmarkDotNet.Running;
using OpsAssistant.Benchmarks;

// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- scale 1000 10000 100000 1000000
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- --filter '*LoadAndAnalyze*'
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- phases 100000
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- steady 100000 8 4
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- load 8 400
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- service-phases 10000 15
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- hostile 50 32 20 200000
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- ingest 4 200 1000 both both
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- cli-vs-python 10 before=/tmp/cli-jit/opsassistant.dll after=/tmp/cli-aot/opsassistant
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- baselines 10000 9
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- incidents 10000 5
// dotnet run -c Release --project tests/OpsAssistant.Benchmarks -- store-read 10000 31 both
return args switch
{
    ["scale", .. var sizes] => ScaleCommand.RunAll(sizes.Length > 0 ? sizes : ["1000", "10000", "100000", "1000000"]),
    ["scale-one", var file] => ScaleCommand.RunOne(file),
    ["phases", .. var rest] => PhasesCommand.Run(rest),
    ["steady", .. var rest] => SteadyCommand.Run(rest),
    ["digest", .. var inputs] => DigestCommand.Run(inputs),
    ["load", .. var rest] => await LoadCommand.RunAsync(rest),
    ["service-phases", .. var rest] => await ServicePhasesCommand.RunAsync(rest),
    ["hostile", .. var rest] => await HostileLoadCommand.RunAsync(rest),
    ["ingest", .. var rest] => await IngestCommand.RunAsync(rest),
    ["ingest-phases", .. var rest] => await IngestPhasesCommand.RunAsync(rest),
    ["cli-vs-python", .. var rest] => CliVsPythonCommand.Run(rest),
    ["baselines", .. var rest] => await BaselinesCommand.RunAsync(rest),
    ["incidents", .. var rest] => await IncidentsCommand.RunAsync(rest),
    ["store-read", .. var rest] => await StoreReadCommand.RunAsync(rest),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadAndAnalyzeBenchmarks).Assembly).Run(args);
    return 0;
}
