var builder = WebApplication.CreateBuilder(args);
builder.AddOpsAssistant();

var app = builder.Build();
app.MapOpsAssistantApi();
return await app.RunOpsAssistantAsync();

/// <summary>Entry point type, public so WebApplicationFactory can find it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "The tests' WebApplicationFactory<Program> fixtures are public classes, so the entry point they name must be public.")]
public partial class Program;
