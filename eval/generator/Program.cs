using System.Globalization;
using OpsAssistant.EvalGenerator;

// Usage: dotnet run --project eval/generator -- --seed 42 --out eval/cases [--fixtures <jaeger-rca-fixtures dir>]
var seed = 42;
string? outDir = null;
string? fixtures = null;
string? incidents = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed" when i + 1 < args.Length:
            seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--out" when i + 1 < args.Length:
            outDir = args[++i];
            break;
        case "--incidents" when i + 1 < args.Length:
            incidents = args[++i];
            break;
        case "--fixtures" when i + 1 < args.Length:
            fixtures = args[++i];
            break;
        default:
            Console.Error.WriteLine($"unknown argument: {args[i]}");
            Console.Error.WriteLine("usage: opsassistant-evalgen --seed <n> --out <cases-dir> [--fixtures <dir>] [--incidents <incident-cases-dir>]");
            return 2;
    }
}

if (outDir is null)
{
    Console.Error.WriteLine("usage: opsassistant-evalgen --seed <n> --out <cases-dir> [--fixtures <dir>] [--incidents <incident-cases-dir>]");
    return 2;
}

// The labelled captures are committed as fixture-* cases; they are copied again only from a folder named explicitly.
if (fixtures is not null && !Directory.Exists(fixtures))
{
    Console.Error.WriteLine($"fixtures directory not found: {fixtures}");
    return 2;
}

var count = CaseGenerator.WriteAll(seed, outDir, fixtures, Console.Out);
Console.WriteLine($"wrote {count} cases to {outDir} (seed {seed})");
if (incidents is not null)
{
    var incidentCount = IncidentCases.WriteAll(seed, incidents, Console.Out);
    Console.WriteLine($"wrote {incidentCount} incident cases to {incidents} (seed {seed})");
}
return 0;
