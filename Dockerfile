# The Autopilot.Actors daemon.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Autopilot.Daemon/Autopilot.Daemon.csproj -c Release --use-current-runtime --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV AUTOPILOT_HTTP_HOST=0.0.0.0 \
    AUTOPILOT_DATA_DIR=/data
VOLUME /data
EXPOSE 9110 4053
ENTRYPOINT ["dotnet", "autopilotd.dll"]
