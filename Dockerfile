# The Autopilot.Actors daemon.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Autopilot.Daemon/Autopilot.Daemon.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
EXPOSE 9110
ENTRYPOINT ["dotnet", "autopilotd.dll", "--urls", "http://0.0.0.0:9110"]
