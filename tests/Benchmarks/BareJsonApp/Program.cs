// The ceiling of the throughput benchmark: a plain minimal-API app whose one route answers a constant JSON body,
// without reading the request or predicting anything. Whatever this app reaches is what Kestrel, routing and the
// minimal-API plumbing cost on this machine; no serving app can beat it.
var app = WebApplication.CreateBuilder(args).Build();

var answer = """{"model":"house-prices","version":"1","predictions":[{"score":24.5}]}"""u8.ToArray();
app.MapPost("/predict", () => Results.Bytes(answer, "application/json; charset=utf-8"));

app.Run();
