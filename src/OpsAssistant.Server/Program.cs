var builder = WebApplication.CreateBuilder(args);
builder.AddOpsAssistant();

var app = builder.Build();
app.MapOpsAssistantApi();
return app.RunOrRefuse();

/// <summary>Entry point type, public so WebApplicationFactory can find it.</summary>
public partial class Program;
