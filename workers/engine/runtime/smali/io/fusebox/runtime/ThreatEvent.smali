# The mTLSPreAuthentication Threat-Event: an Android broadcast to the app's own package
# (action = event name, every extra a String) and the in-app defense, by mode:
# off = defense only, detect = broadcast only, defend = broadcast and defense.
# The contract (keys, reason codes, modes) is described once in threat_events.py.
.class final Lio/fusebox/runtime/ThreatEvent;
.super Ljava/lang/Object;

.field static sTotalScore:I
.field static sDefenseStarted:Z

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# Never throws: a Threat-Event that cannot be delivered is logged.
# Locals v0-v9 keep the v4..v8 argument range clear of the parameters (v10-v13).
.method static declared-synchronized raise(Landroid/content/Context;Ljava/util/Properties;Ljava/lang/String;Ljava/lang/String;)V
    .registers 14
    if-nez p1, :have_config
    new-instance p1, Ljava/util/Properties;
    invoke-direct {p1}, Ljava/util/Properties;-><init>()V
    :have_config

    :try_start
    const-string v0, "mode"
    const-string v1, "off"
    invoke-virtual {p1, v0, v1}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    const-string v1, "message"
    const-string v2, "This app cannot confirm its identity and will close."
    invoke-virtual {p1, v1, v2}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1

    const-string v2, "threatScore"
    const-string v3, "100"
    invoke-virtual {p1, v2, v3}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v2}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;)I
    move-result v2
    sget v3, Lio/fusebox/runtime/ThreatEvent;->sTotalScore:I
    add-int/2addr v3, v2
    sput v3, Lio/fusebox/runtime/ThreatEvent;->sTotalScore:I

    const-string v4, "FuseboxPreAuth"
    const-string v5, "Threat-Event mTLSPreAuthentication, reasonCode "
    invoke-virtual {v5, p2}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    invoke-static {v4, v5}, Landroid/util/Log;->w(Ljava/lang/String;Ljava/lang/String;)I

    const-string v4, "off"
    invoke-virtual {v4, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v4
    if-nez v4, :defense
    move-object v4, p0
    move-object v5, p1
    move-object v6, p2
    move-object v7, p3
    move-object v8, v1
    invoke-static/range {v4 .. v8}, Lio/fusebox/runtime/ThreatEvent;->broadcast(Landroid/content/Context;Ljava/util/Properties;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V

    :defense
    const-string v4, "detect"
    invoke-virtual {v4, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v4
    if-nez v4, :done
    const-string v4, "failSafeDelayMs"
    const-string v5, "5000"
    invoke-virtual {p1, v4, v5}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v4
    invoke-static {v4}, Ljava/lang/Long;->parseLong(Ljava/lang/String;)J
    move-result-wide v4
    invoke-static {p0, v1, v4, v5}, Lio/fusebox/runtime/ThreatEvent;->defend(Landroid/content/Context;Ljava/lang/String;J)V
    :done
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed
    return-void

    :failed
    move-exception v0
    const-string v1, "FuseboxPreAuth"
    const-string v2, "Threat-Event mTLSPreAuthentication could not be delivered"
    invoke-static {v1, v2, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    return-void
.end method

.method static broadcast(Landroid/content/Context;Ljava/util/Properties;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V
    .registers 9
    new-instance v0, Landroid/content/Intent;
    const-string v1, "mTLSPreAuthentication"
    invoke-direct {v0, v1}, Landroid/content/Intent;-><init>(Ljava/lang/String;)V
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, v1}, Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;

    const-string v1, "message"
    invoke-static {v0, v1, p4}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v1, "reasonCode"
    invoke-static {v0, v1, p2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v1, "reasonData"
    invoke-static {v0, v1, p3}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "currentThreatEventScore"
    const-string v2, "threatScore"
    const-string v3, "100"
    invoke-virtual {p1, v2, v3}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v1, "threatEventsScore"
    sget v2, Lio/fusebox/runtime/ThreatEvent;->sTotalScore:I
    invoke-static {v2}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    # failSafeEnforce: "true" when Fusebox itself will end the app (modes off and defend).
    const-string v1, "mode"
    const-string v2, "off"
    invoke-virtual {p1, v1, v2}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    const-string v2, "detect"
    invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v1
    const-string v2, "true"
    if-eqz v1, :enforce
    const-string v2, "false"
    :enforce
    const-string v1, "failSafeEnforce"
    invoke-static {v0, v1, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "externalID"
    invoke-static {v0, p1, v1}, Lio/fusebox/runtime/ThreatEvent;->putBuildValue(Landroid/content/Intent;Ljava/util/Properties;Ljava/lang/String;)V
    const-string v1, "fusedAppToken"
    invoke-static {v0, p1, v1}, Lio/fusebox/runtime/ThreatEvent;->putBuildValue(Landroid/content/Intent;Ljava/util/Properties;Ljava/lang/String;)V
    const-string v1, "buildDate"
    invoke-static {v0, p1, v1}, Lio/fusebox/runtime/ThreatEvent;->putBuildValue(Landroid/content/Intent;Ljava/util/Properties;Ljava/lang/String;)V
    const-string v1, "buildUser"
    invoke-static {v0, p1, v1}, Lio/fusebox/runtime/ThreatEvent;->putBuildValue(Landroid/content/Intent;Ljava/util/Properties;Ljava/lang/String;)V
    const-string v1, "buildHost"
    invoke-static {v0, p1, v1}, Lio/fusebox/runtime/ThreatEvent;->putBuildValue(Landroid/content/Intent;Ljava/util/Properties;Ljava/lang/String;)V

    invoke-static {v0, p0}, Lio/fusebox/runtime/ThreatEvent;->putDeviceExtras(Landroid/content/Intent;Landroid/content/Context;)V
    invoke-static {v0, p0}, Lio/fusebox/runtime/ThreatEvent;->putPermissionGatedExtras(Landroid/content/Intent;Landroid/content/Context;)V

    # Sent from the main looper: after Application.onCreate when raised at start-up.
    new-instance v1, Landroid/os/Handler;
    invoke-static {}, Landroid/os/Looper;->getMainLooper()Landroid/os/Looper;
    move-result-object v2
    invoke-direct {v1, v2}, Landroid/os/Handler;-><init>(Landroid/os/Looper;)V
    new-instance v2, Lio/fusebox/runtime/Delivery;
    invoke-direct {v2, p0, v0}, Lio/fusebox/runtime/Delivery;-><init>(Landroid/content/Context;Landroid/content/Intent;)V
    invoke-virtual {v1, v2}, Landroid/os/Handler;->post(Ljava/lang/Runnable;)Z
    return-void
.end method

.method static put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    .registers 3
    if-nez p2, :have_value
    const-string p2, ""
    :have_value
    invoke-virtual {p0, p1, p2}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    return-void
.end method

.method static putBuildValue(Landroid/content/Intent;Ljava/util/Properties;Ljava/lang/String;)V
    .registers 4
    const-string v0, ""
    invoke-virtual {p1, p2, v0}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-static {p0, p2, v0}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    return-void
.end method

# Extras every event carries. Values that need a service are first set to "" so that the
# key set stays the documented one when a service is missing.
.method static putDeviceExtras(Landroid/content/Intent;Landroid/content/Context;)V
    .registers 6
    const-string v0, "osVersion"
    sget-object v1, Landroid/os/Build$VERSION;->RELEASE:Ljava/lang/String;
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "deviceModel"
    sget-object v1, Landroid/os/Build;->MODEL:Ljava/lang/String;
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "deviceManufacturer"
    sget-object v1, Landroid/os/Build;->MANUFACTURER:Ljava/lang/String;
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "deviceBrand"
    sget-object v1, Landroid/os/Build;->BRAND:Ljava/lang/String;
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "deviceBoard"
    sget-object v1, Landroid/os/Build;->BOARD:Ljava/lang/String;
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "devicePlatform"
    const-string v1, "Android"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "sdkVersion"
    sget v1, Landroid/os/Build$VERSION;->SDK_INT:I
    invoke-static {v1}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v1
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    # updatedOSVersion: the security patch level (Build.VERSION.SECURITY_PATCH, API 23+).
    const-string v1, ""
    sget v2, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v3, 0x17
    if-lt v2, v3, :no_patch_level
    sget-object v1, Landroid/os/Build$VERSION;->SECURITY_PATCH:Ljava/lang/String;
    :no_patch_level
    const-string v0, "updatedOSVersion"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    const-string v0, "kernelInfo"
    const-string v1, "os.version"
    invoke-static {v1}, Ljava/lang/System;->getProperty(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "timeZone"
    invoke-static {}, Ljava/util/TimeZone;->getDefault()Ljava/util/TimeZone;
    move-result-object v1
    invoke-virtual {v1}, Ljava/util/TimeZone;->getID()Ljava/lang/String;
    move-result-object v1
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    # Orientation needs a sensor listener and a wait, which start-up cannot afford.
    const-string v0, "deviceFaceDown"
    const-string v1, "unknown"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, ""
    const-string v0, "deviceID"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "carrierName"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v0, "carrierPlmn"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    :try_start_id
    invoke-virtual {p1}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v1
    const-string v2, "android_id"
    invoke-static {v1, v2}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    const-string v0, "deviceID"
    invoke-static {p0, v0, v1}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    :try_end_id
    .catch Ljava/lang/Throwable; {:try_start_id .. :try_end_id} :carrier

    :carrier
    :try_start_carrier
    const-string v1, "phone"
    invoke-virtual {p1, v1}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v1
    check-cast v1, Landroid/telephony/TelephonyManager;
    invoke-virtual {v1}, Landroid/telephony/TelephonyManager;->getNetworkOperatorName()Ljava/lang/String;
    move-result-object v2
    const-string v0, "carrierName"
    invoke-static {p0, v0, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    invoke-virtual {v1}, Landroid/telephony/TelephonyManager;->getNetworkOperator()Ljava/lang/String;
    move-result-object v2
    const-string v0, "carrierPlmn"
    invoke-static {p0, v0, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    :try_end_carrier
    .catch Ljava/lang/Throwable; {:try_start_carrier .. :try_end_carrier} :done

    :done
    return-void
.end method

# Location and Wi-Fi extras appear only when the app already holds the permission; the
# runtime never requests one.
.method static putPermissionGatedExtras(Landroid/content/Intent;Landroid/content/Context;)V
    .registers 8
    const-string v0, "android.permission.ACCESS_FINE_LOCATION"
    invoke-static {p1, v0}, Lio/fusebox/runtime/ThreatEvent;->granted(Landroid/content/Context;Ljava/lang/String;)Z
    move-result v0
    const-string v1, "android.permission.ACCESS_COARSE_LOCATION"
    invoke-static {p1, v1}, Lio/fusebox/runtime/ThreatEvent;->granted(Landroid/content/Context;Ljava/lang/String;)Z
    move-result v1
    or-int/2addr v1, v0
    if-eqz v1, :wifi

    const-string v2, ""
    const-string v3, "locationLat"
    invoke-static {p0, v3, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v3, "locationLong"
    invoke-static {p0, v3, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v3, "locationState"
    const-string v2, "unavailable"
    invoke-static {p0, v3, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    :try_start_location
    const-string v2, "location"
    invoke-virtual {p1, v2}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v2
    check-cast v2, Landroid/location/LocationManager;
    const-string v3, "network"
    if-eqz v0, :query_location
    const-string v3, "passive"
    :query_location
    invoke-virtual {v2, v3}, Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;
    move-result-object v2
    if-eqz v2, :wifi
    invoke-virtual {v2}, Landroid/location/Location;->getLatitude()D
    move-result-wide v3
    invoke-static {v3, v4}, Ljava/lang/String;->valueOf(D)Ljava/lang/String;
    move-result-object v3
    const-string v4, "locationLat"
    invoke-static {p0, v4, v3}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    invoke-virtual {v2}, Landroid/location/Location;->getLongitude()D
    move-result-wide v3
    invoke-static {v3, v4}, Ljava/lang/String;->valueOf(D)Ljava/lang/String;
    move-result-object v3
    const-string v4, "locationLong"
    invoke-static {p0, v4, v3}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v3, "locationState"
    const-string v4, "available"
    invoke-static {p0, v3, v4}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    :try_end_location
    .catch Ljava/lang/Throwable; {:try_start_location .. :try_end_location} :wifi

    # Since Android 8.1 the SSID is readable only with a location permission as well.
    :wifi
    const-string v2, "android.permission.ACCESS_WIFI_STATE"
    invoke-static {p1, v2}, Lio/fusebox/runtime/ThreatEvent;->granted(Landroid/content/Context;Ljava/lang/String;)Z
    move-result v2
    if-eqz v2, :done
    const-string v2, "wifiSsid"
    const-string v3, ""
    invoke-static {p0, v2, v3}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    const-string v2, "wifiSsidPermissionStatus"
    const-string v3, "granted"
    if-nez v0, :put_status
    const-string v3, "locationPermissionMissing"
    :put_status
    invoke-static {p0, v2, v3}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V

    :try_start_wifi
    const-string v2, "wifi"
    invoke-virtual {p1, v2}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v2
    check-cast v2, Landroid/net/wifi/WifiManager;
    invoke-virtual {v2}, Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo;
    move-result-object v2
    invoke-virtual {v2}, Landroid/net/wifi/WifiInfo;->getSSID()Ljava/lang/String;
    move-result-object v2
    const-string v3, "wifiSsid"
    invoke-static {p0, v3, v2}, Lio/fusebox/runtime/ThreatEvent;->put(Landroid/content/Intent;Ljava/lang/String;Ljava/lang/String;)V
    :try_end_wifi
    .catch Ljava/lang/Throwable; {:try_start_wifi .. :try_end_wifi} :done

    :done
    return-void
.end method

.method static granted(Landroid/content/Context;Ljava/lang/String;)Z
    .registers 3
    invoke-virtual {p0, p1}, Landroid/content/Context;->checkCallingOrSelfPermission(Ljava/lang/String;)I
    move-result v0
    if-nez v0, :denied
    const/4 v0, 0x1
    return v0
    :denied
    const/4 v0, 0x0
    return v0
.end method

# Shows the message at once and ends the process after the fail-safe delay, once per process.
.method static defend(Landroid/content/Context;Ljava/lang/String;J)V
    .registers 8
    sget-boolean v0, Lio/fusebox/runtime/ThreatEvent;->sDefenseStarted:Z
    if-eqz v0, :start
    return-void

    :start
    const/4 v0, 0x1
    sput-boolean v0, Lio/fusebox/runtime/ThreatEvent;->sDefenseStarted:Z
    new-instance v0, Landroid/os/Handler;
    invoke-static {}, Landroid/os/Looper;->getMainLooper()Landroid/os/Looper;
    move-result-object v1
    invoke-direct {v0, v1}, Landroid/os/Handler;-><init>(Landroid/os/Looper;)V

    new-instance v1, Lio/fusebox/runtime/Defense;
    const/4 v2, 0x0
    invoke-direct {v1, p0, p1, v2}, Lio/fusebox/runtime/Defense;-><init>(Landroid/content/Context;Ljava/lang/String;I)V
    invoke-virtual {v0, v1}, Landroid/os/Handler;->post(Ljava/lang/Runnable;)Z

    new-instance v1, Lio/fusebox/runtime/Defense;
    const/4 v2, 0x1
    invoke-direct {v1, p0, p1, v2}, Lio/fusebox/runtime/Defense;-><init>(Landroid/content/Context;Ljava/lang/String;I)V
    invoke-virtual {v0, v1, p2, p3}, Landroid/os/Handler;->postDelayed(Ljava/lang/Runnable;J)Z
    return-void
.end method
