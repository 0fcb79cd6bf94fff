var builder = WebApplication.CreateBuilder(args);
builder.AddOpsAssistant();

var app = builder.Build();
app.MapOpsAssistantApi();
return await app.RunOpsAssistantAsync();

/// <summary>Entry point type, public so WebApplicationFactory can find it.</summary>
public partial class Program;
