// The meeting readiness page (beredskapskontroll): run on the kit's tablet in the patient's home before
// a meeting. It checks the camera and microphone, TURN over UDP and over TLS on TCP (443), the round
// trip and the download speed to the edge, and gives a verdict in Swedish with what to do (routine
// 4.2.3: when the connection or the room is in doubt, video without sound and a phone call).
//
// The TURN servers and a time-limited TURN credential arrive in the link's fragment (#…), which the
// browser never sends to any server; `vardmote room readiness-link` makes the link. The results are
// also exposed as window.vardmoteReadiness = {started, done, verdict, checks} for a test driver.
"use strict";

// Thresholds: what each measurement must reach. Why each value:
const THRESHOLDS = Object.freeze({
  // Median round trip to the edge. ITU-T G.114 keeps one-way mouth-to-ear delay under 150 ms for a
  // conversation nobody notices; the edge is only the first part of the path (the conferencing node,
  // jitter buffers and codecs add their share), so a round trip to it above 150 ms means talk will
  // start to overlap.
  rttGoodMs: 150,
  // Enough samples for a median one slow answer cannot move; few enough to take about a second.
  rttSamples: 7,
  // A request to the edge that takes longer than this is lost: mobile networks answer in well under a
  // second, so 4 s is a dead path rather than a slow one.
  fetchTimeoutMs: 4000,
  // Download speed from the edge. A WebRTC call at 720p takes about 1.3 Mbit/s of video plus sound,
  // and the tablet receives the other participants too: below 2 Mbit/s the picture will drop in
  // quality and stutter.
  downloadGoodMbps: 2,
  // Below 0.5 Mbit/s there is no room for moving pictures beside the sound: the meeting needs the phone.
  downloadMinMbps: 0.5,
  // Stop the download after this long and count what arrived: a slow line is measured, not waited for.
  downloadMaxMs: 6000,
  // The microphone gives signal: the loudest 50 ms of sound (RMS, full scale = 1) over the listening
  // time reaches about -46 dBFS. A room with a person in it lies well above; a muted or unplugged
  // microphone gives digital silence (0) or only its own noise floor below it.
  micMinLevel: 0.005,
  micListenMs: 2500,
  // Mean brightness (0–255) of the camera's picture below which it is taken for a covered lens or a
  // dark room: a lit room gives 60 and more, a lens cap under 10.
  cameraDarkLuma: 20,
  // A camera that gives no picture within this time gives none.
  cameraFirstFrameMs: 4000,
  // TURN: a relay candidate within this time, or the way is shut. A TLS handshake and an allocation
  // take about four round trips, well under 2 s even on a slow mobile network.
  turnTimeoutMs: 10000,
});

// The page's own resources on the portal, answered with Cache-Control: no-store (the portal's nginx
// vhost, location /beredskap/): a tiny one for the round trip and a sized one for the download.
const RESOURCES = Object.freeze({ ping: "ping", download: "testdata.bin" });
const FRAGMENT_VERSION = "1";

const STATUS_WORDS = { ok: "Godkänd", warn: "Varning", fail: "Fel", skipped: "Hoppades över", running: "Pågår" };

const state = { started: false, done: false, verdict: null, checks: [] };
window.vardmoteReadiness = state;

function result(id, title, status, summary, extra = {}) {
  return { id, title, status, summary, advice: extra.advice || null, impact: extra.impact || null, detail: extra.detail || {} };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- The link's fragment -------------------------------------------------------------------------

const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function readLink(hash, nowMs) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const missing = ["v", "turn", "udp", "tls", "username", "credential"].filter((key) => !params.get(key));
  if (missing.length) {
    return { ok: false, problem: `länken saknar ${missing.join(", ")}` };
  }
  if (params.get("v") !== FRAGMENT_VERSION) {
    return { ok: false, problem: `länken är av en annan version (${params.get("v")})` };
  }
  const host = params.get("turn");
  const udp = Number(params.get("udp"));
  const tls = Number(params.get("tls"));
  if (!HOST_PATTERN.test(host)) return { ok: false, problem: `TURN-servern i länken (${host}) är inget värdnamn` };
  for (const port of [udp, tls]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, problem: "en port i länken är ogiltig" };
  }
  const username = params.get("username");
  const expiry = Number(username.split(":")[0]);
  if (!Number.isInteger(expiry)) return { ok: false, problem: "TURN-uppgifterna i länken är ofullständiga" };
  const expires = new Date(expiry * 1000);
  if (expiry * 1000 <= nowMs) {
    return { ok: false, problem: `länken gick ut ${expires.toLocaleString("sv-SE")}`, expires };
  }
  return { ok: true, host, udp, tls, username, credential: params.get("credential"), expires };
}

function checkLink(link) {
  if (!link.ok) {
    return result("link", "Länk", "fail", `Länken går inte att använda: ${link.problem}.`, {
      impact: "red",
      advice: "Be om en ny beredskapslänk (den görs med vardmote room readiness-link) och öppna den på surfplattan.",
    });
  }
  return result("link", "Länk", "ok", `TURN-server ${link.host}, giltig till ${link.expires.toLocaleString("sv-SE")}.`);
}

// --- Camera and microphone -----------------------------------------------------------------------

const MEDIA_ERRORS = {
  NotAllowedError: {
    summary: "webbläsaren fick inte använda den",
    advice: "Tillåt kamera och mikrofon för sidan (ikonen vid adressfältet, eller surfplattans inställningar för webbläsaren) och kör kontrollen igen.",
  },
  NotFoundError: {
    summary: "ingen hittades",
    advice: "Kontrollera att den externa högtalaren/mikrofonen är ansluten och påslagen, och att surfplattans kamera inte är avstängd.",
  },
  NotReadableError: {
    summary: "den används av en annan app eller fungerar inte",
    advice: "Stäng andra appar som använder kameran eller mikrofonen, eller starta om surfplattan, och kör kontrollen igen.",
  },
  OverconstrainedError: {
    summary: "den klarar inte det som begärdes",
    advice: "Starta om surfplattan och kör kontrollen igen; hjälper det inte, ring supportnumret på surfplattans etikett.",
  },
};

function mediaFailure(id, title, error) {
  const known = MEDIA_ERRORS[error && error.name] || {
    summary: `oväntat fel (${error && error.name ? error.name : error})`,
    advice: "Starta om surfplattan och kör kontrollen igen; hjälper det inte, ring supportnumret på surfplattans etikett.",
  };
  return result(id, title, "fail", `${title}: ${known.summary}.`, {
    impact: "red",
    advice: known.advice,
    detail: { error: error && error.name ? error.name : String(error) },
  });
}

async function openMedia() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    const error = { name: "NotSupportedError" };
    return { video: null, audio: null, videoError: error, audioError: error };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    return { video: stream, audio: stream };
  } catch (both) {
    // Ask for each alone, so the result says which of the two failed.
    const opened = { video: null, audio: null, videoError: both, audioError: both };
    try {
      opened.video = await navigator.mediaDevices.getUserMedia({ video: true });
      opened.videoError = null;
    } catch (error) {
      opened.videoError = error;
    }
    try {
      opened.audio = await navigator.mediaDevices.getUserMedia({ audio: true });
      opened.audioError = null;
    } catch (error) {
      opened.audioError = error;
    }
    return opened;
  }
}

function liveTrack(stream, kind) {
  const track = stream && stream.getTracks().find((each) => each.kind === kind);
  return track && track.readyState === "live" && track.enabled ? track : null;
}

async function checkCamera(stream, error) {
  const title = "Kamera";
  if (!stream) return mediaFailure("camera", title, error);
  const track = liveTrack(stream, "video");
  if (!track) {
    return result("camera", title, "fail", "Kamera: ingen levande bildström.", {
      impact: "red",
      advice: "Starta om surfplattan och kör kontrollen igen.",
    });
  }
  const video = document.getElementById("preview");
  video.srcObject = new MediaStream([track]);
  video.dataset.live = "";
  const started = performance.now();
  video.play().catch(() => {});
  while (video.videoWidth === 0 && performance.now() - started < THRESHOLDS.cameraFirstFrameMs) {
    await sleep(100);
  }
  if (video.videoWidth === 0) {
    return result("camera", title, "fail", `Kamera: ingen bild inom ${THRESHOLDS.cameraFirstFrameMs / 1000} s.`, {
      impact: "red",
      advice: "Starta om surfplattan och kör kontrollen igen; hjälper det inte, ring supportnumret på surfplattans etikett.",
      detail: { label: track.label },
    });
  }
  const luma = meanLuma(video);
  const detail = { label: track.label, width: video.videoWidth, height: video.videoHeight, luma: Math.round(luma) };
  if (luma < THRESHOLDS.cameraDarkLuma) {
    return result("camera", title, "warn", `Kamera: bilden är nästan svart (ljusstyrka ${Math.round(luma)} av 255).`, {
      impact: "amber",
      advice: "Se efter att kameran inte är täckt och att rummet är upplyst.",
      detail,
    });
  }
  return result("camera", title, "ok", `Kamera: ${video.videoWidth}×${video.videoHeight}, bilden syns.`, { detail });
}

function meanLuma(video) {
  const canvas = document.createElement("canvas");
  canvas.width = 64;
  canvas.height = 36;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < pixels.length; i += 4) sum += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
  return sum / (pixels.length / 4);
}

async function checkMicrophone(stream, error) {
  const title = "Mikrofon";
  if (!stream) return mediaFailure("microphone", title, error);
  const track = liveTrack(stream, "audio");
  if (!track) {
    return result("microphone", title, "fail", "Mikrofon: ingen levande ljudström.", {
      impact: "red",
      advice: "Kontrollera att den externa högtalaren/mikrofonen är ansluten och påslagen, och kör kontrollen igen.",
    });
  }
  const context = new AudioContext();
  try {
    await context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let peak = 0;
    const started = performance.now();
    while (performance.now() - started < THRESHOLDS.micListenMs) {
      await sleep(50);
      analyser.getFloatTimeDomainData(samples);
      let energy = 0;
      for (const sample of samples) energy += sample * sample;
      peak = Math.max(peak, Math.sqrt(energy / samples.length));
    }
    const detail = { label: track.label, peakLevel: Number(peak.toFixed(4)), contextState: context.state };
    if (peak < THRESHOLDS.micMinLevel) {
      return result("microphone", title, "fail", "Mikrofon: ingen signal (tyst).", {
        impact: "red",
        advice: "Kontrollera att mikrofonen inte är avstängd (mute), att den externa högtalaren/mikrofonen är ansluten och vald, och säg något medan kontrollen körs.",
        detail,
      });
    }
    return result("microphone", title, "ok", "Mikrofon: ger signal.", { detail });
  } finally {
    context.close();
  }
}

// --- TURN ------------------------------------------------------------------------------------------

function checkTurn(id, title, url, expectedProtocol, link) {
  return new Promise((resolve) => {
    const errors = [];
    const otherRelays = [];
    let connection;
    let finished = false;
    const started = performance.now();
    const finish = (candidate, why) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const detail = { url, expectedProtocol, errors, otherRelays, elapsedMs: Math.round(performance.now() - started) };
      connection.close();
      if (candidate) {
        detail.relay = `${candidate.address}:${candidate.port}`;
        resolve(result(id, title, "ok", `${title}: relay ${detail.relay} på ${detail.elapsedMs} ms.`, { detail }));
        return;
      }
      const codes = errors.map((error) => `${error.errorCode}${error.errorText ? ` ${error.errorText}` : ""}`);
      const said = codes.length ? ` Felkoder: ${[...new Set(codes)].join("; ")}.` : "";
      const how = why === "timeout" ? `inget svar inom ${THRESHOLDS.turnTimeoutMs / 1000} s` : "ingen relay-kandidat";
      resolve(result(id, title, "fail", `${title}: ${how}.${said}`, { detail: { ...detail, why } }));
    };
    const timer = setTimeout(() => finish(null, "timeout"), THRESHOLDS.turnTimeoutMs);
    try {
      connection = new RTCPeerConnection({
        iceServers: [{ urls: url, username: link.username, credential: link.credential }],
        iceTransportPolicy: "relay",
      });
    } catch (error) {
      connection = { close() {} };
      errors.push({ errorCode: 0, errorText: String(error) });
      finish(null, "error");
      return;
    }
    connection.addEventListener("icecandidateerror", (event) => {
      errors.push({ errorCode: event.errorCode, errorText: event.errorText, url: event.url });
    });
    connection.addEventListener("icecandidate", async (event) => {
      const candidate = event.candidate;
      if (!candidate) {
        // Gathering is over; an error reported just before this still counts.
        await sleep(50);
        finish(null, "complete");
        return;
      }
      if (candidate.type !== "relay") return;
      const protocol = candidate.relayProtocol || (await relayProtocolFromStats(connection, candidate));
      if (protocol === expectedProtocol) finish(candidate, "relay");
      else otherRelays.push({ protocol, address: candidate.address });
    });
    connection.createDataChannel("beredskap");
    connection
      .createOffer()
      .then((offer) => connection.setLocalDescription(offer))
      .catch((error) => {
        errors.push({ errorCode: 0, errorText: String(error) });
        finish(null, "error");
      });
  });
}

async function relayProtocolFromStats(connection, candidate) {
  const stats = await connection.getStats();
  for (const report of stats.values()) {
    if (report.type === "local-candidate" && report.address === candidate.address && report.port === candidate.port) {
      return report.relayProtocol;
    }
  }
  return undefined;
}

// --- Round trip and download to the edge -----------------------------------------------------------

async function timedFetch(url) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), THRESHOLDS.fetchTimeoutMs);
  try {
    const response = await fetch(url, { cache: "no-store", signal: controller.signal, credentials: "omit" });
    await response.arrayBuffer();
    return response;
  } finally {
    clearTimeout(timer);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const EDGE_UNREACHABLE_ADVICE =
  "Kontrollera surfplattans mobila bredband (täckning, flygplansläge, att mobildata är på) eller hemmets " +
  "nätverk, flytta surfplattan närmare ett fönster och kör kontrollen igen; hjälper det inte, ring supportnumret " +
  "på surfplattans etikett.";

async function checkRoundTrip() {
  const title = "Svarstid till kanten";
  const samples = [];
  const failures = [];
  let cacheControl = null;
  // One more than needed: the first request may pay for a new connection, and is not counted.
  for (let i = 0; i <= THRESHOLDS.rttSamples; i += 1) {
    const started = performance.now();
    try {
      const response = await timedFetch(`${RESOURCES.ping}?n=${i}&t=${Date.now()}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      cacheControl = response.headers.get("cache-control");
      if (i > 0) samples.push(performance.now() - started);
    } catch (error) {
      failures.push(error.name === "AbortError" ? `inget svar inom ${THRESHOLDS.fetchTimeoutMs / 1000} s` : error.message);
      if (samples.length === 0 && failures.length >= 2) break;
    }
  }
  const detail = { samplesMs: samples.map((value) => Math.round(value)), failures, cacheControl };
  if (samples.length === 0) {
    return result("rtt", title, "fail", `Portalen nås inte (${failures[failures.length - 1]}).`, {
      impact: "red",
      advice: EDGE_UNREACHABLE_ADVICE,
      detail,
    });
  }
  const rtt = median(samples);
  detail.medianMs = Math.round(rtt);
  if (rtt > THRESHOLDS.rttGoodMs) {
    return result("rtt", title, "warn", `Svarstid ${Math.round(rtt)} ms (bör vara högst ${THRESHOLDS.rttGoodMs} ms): samtal kan bli fördröjda.`, {
      impact: "amber",
      advice: "Hög fördröjning gör att deltagarna pratar i mun på varandra: flytta surfplattan till en plats med bättre täckning och kör kontrollen igen.",
      detail,
    });
  }
  return result("rtt", title, "ok", `Svarstid ${Math.round(rtt)} ms (median av ${samples.length}).`, { detail });
}

async function checkDownload(edgeReachable) {
  const title = "Hastighet från kanten";
  if (!edgeReachable) {
    return result("bandwidth", title, "skipped", "Hastigheten mättes inte: portalen nås inte.");
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), THRESHOLDS.downloadMaxMs);
  let bytes = 0;
  let error = null;
  const started = performance.now();
  try {
    const response = await fetch(`${RESOURCES.download}?t=${Date.now()}`, { cache: "no-store", signal: controller.signal, credentials: "omit" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
  } catch (caught) {
    if (caught.name !== "AbortError") error = caught;
  } finally {
    clearTimeout(timer);
  }
  const elapsedMs = performance.now() - started;
  const mbps = (bytes * 8) / (elapsedMs / 1000) / 1e6;
  const detail = { bytes, elapsedMs: Math.round(elapsedMs), mbps: Number(mbps.toFixed(2)) };
  if (error && bytes === 0) {
    return result("bandwidth", title, "fail", `Hastigheten gick inte att mäta (${error.message}).`, {
      impact: "red",
      advice: EDGE_UNREACHABLE_ADVICE,
      detail,
    });
  }
  const shown = mbps >= 10 ? Math.round(mbps) : mbps.toFixed(1);
  if (mbps < THRESHOLDS.downloadMinMbps) {
    return result("bandwidth", title, "fail", `${shown} Mbit/s: för långsamt för video (minst ${THRESHOLDS.downloadMinMbps}).`, {
      impact: "red",
      advice: "Flytta surfplattan till en plats med bättre täckning och kör kontrollen igen; annars: genomför mötet per telefon.",
      detail,
    });
  }
  if (mbps < THRESHOLDS.downloadGoodMbps) {
    return result("bandwidth", title, "warn", `${shown} Mbit/s: långsamt (bör vara minst ${THRESHOLDS.downloadGoodMbps}); bilden kan bli sämre och hacka.`, {
      impact: "amber",
      advice: "Stäng annat som använder nätet, flytta surfplattan till en plats med bättre täckning och kör kontrollen igen.",
      detail,
    });
  }
  return result("bandwidth", title, "ok", `${shown} Mbit/s.`, { detail });
}

// --- The verdict -----------------------------------------------------------------------------------

// Both TURN ways judged together: one way through is enough for a meeting.
function judgeTurn(udp, tls) {
  if (udp.status === "ok" && tls.status === "ok") return;
  if (udp.status !== "ok" && tls.status !== "ok") {
    const reason = "Ingen väg till TURN-servern, varken över UDP eller TCP/443: bild och ljud kommer inte fram.";
    for (const check of [udp, tls]) {
      check.impact = "red";
      check.reason = reason;
    }
    udp.advice =
      "Kontrollera surfplattans mobila bredband eller hemmets nätverk (en brandvägg eller ett gästnät kan stoppa " +
      "trafiken) och kör kontrollen igen; hjälper det inte, ring supportnumret på surfplattans etikett.";
    return;
  }
  if (udp.status !== "ok") {
    udp.impact = "amber";
    udp.reason =
      "Nätet släpper bara igenom TCP/443: bild och ljud går via TLS över TCP, som tål paketförlust sämre än UDP. " +
      "Mötet fungerar, men ljud och bild kan hacka eller fördröjas vid svag täckning.";
    udp.advice = "Ha telefonen redo: hackar ljudet under mötet, stäng av ljudet i videon och ring upp deltagaren.";
  } else {
    tls.impact = "amber";
    tls.reason =
      "TURN över TCP/443 nås inte, men UDP fungerar: mötet går över UDP, utan reserv om nätet stänger UDP.";
    tls.advice = "Meddela regionens IT-support att TURN över 443 inte svarade (kan vara ett fel på plattformen).";
  }
}

const ROOM_REMINDER =
  "Se till att ingen utomstående kan se eller höra vad som sägs där surfplattan står (rutinen 4.2.3).";
const PHONE_ADVICE =
  "Tvivlar du på uppkopplingen eller rummet under mötet: använd video utan ljud och ring upp deltagaren per " +
  "telefon för samtalet (rutinen 4.2.3).";

function verdictOf(checks) {
  const red = checks.filter((check) => check.impact === "red");
  const amber = checks.filter((check) => check.impact === "amber");
  const reasonOf = (check) => check.reason || check.summary;
  const adviceOf = (list) => [...new Set(list.map((check) => check.advice).filter(Boolean))];
  if (red.length) {
    return {
      level: "red",
      title: "Rött: videomötet fungerar inte härifrån just nu",
      reasons: [...new Set(red.map(reasonOf))],
      advice: [
        ...adviceOf(red),
        "Går det inte att åtgärda före mötet: genomför mötet per telefon (alla deltagare kan ansluta per telefon) och meddela den som kallat till mötet.",
      ],
    };
  }
  if (amber.length) {
    return {
      level: "amber",
      title: "Gult: mötet kan genomföras, men anslutningen är osäker",
      reasons: [...new Set(amber.map(reasonOf))],
      advice: [...adviceOf(amber), PHONE_ADVICE, ROOM_REMINDER],
    };
  }
  return {
    level: "green",
    title: "Grönt: allt fungerar",
    reasons: ["Kamera, mikrofon, TURN över UDP och TCP/443, svarstid och hastighet är godkända."],
    advice: ["Mötet kan genomföras med bild och ljud.", ROOM_REMINDER],
  };
}

// --- Showing it ------------------------------------------------------------------------------------

function showCheck(check) {
  const list = document.getElementById("checks");
  let item = list.querySelector(`[data-check="${check.id}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset.check = check.id;
    list.append(item);
  }
  item.dataset.status = check.status;
  const status = document.createElement("span");
  status.className = "status";
  status.textContent = `${STATUS_WORDS[check.status]}:`;
  item.replaceChildren(status, document.createTextNode(check.summary));
}

function showVerdict(verdict) {
  const section = document.getElementById("verdict");
  section.dataset.level = verdict.level;
  document.getElementById("verdict-title").textContent = verdict.title;
  const fill = (id, lines) => {
    document.getElementById(id).replaceChildren(
      ...lines.map((line) => {
        const item = document.createElement("li");
        item.textContent = line;
        return item;
      }),
    );
  };
  fill("verdict-reasons", verdict.reasons);
  fill("verdict-advice", verdict.advice);
  section.hidden = false;
}

function record(check) {
  const index = state.checks.findIndex((each) => each.id === check.id);
  if (index >= 0) state.checks[index] = check;
  else state.checks.push(check);
  showCheck(check);
  return check;
}

function running(id, title) {
  showCheck({ id, title, status: "running", summary: `${title}…` });
}

// --- Running it ------------------------------------------------------------------------------------

async function runChecks() {
  const button = document.getElementById("start");
  button.disabled = true;
  state.started = true;
  state.done = false;
  state.verdict = null;
  state.checks = [];
  document.getElementById("checks").replaceChildren();
  document.getElementById("verdict").hidden = true;
  try {
    const link = readLink(window.location.hash, Date.now());
    record(checkLink(link));

    running("camera", "Kamera");
    running("microphone", "Mikrofon");
    const media = await openMedia();
    record(await checkCamera(media.video, media.videoError));
    record(await checkMicrophone(media.audio, media.audioError));

    running("rtt", "Svarstid till kanten");
    const rtt = record(await checkRoundTrip());
    running("bandwidth", "Hastighet från kanten");
    record(await checkDownload(rtt.status !== "fail"));

    const udpTitle = "TURN över UDP";
    const tlsTitle = `TURN över TLS (TCP ${link.ok ? link.tls : 443})`;
    let udp;
    let tls;
    if (link.ok) {
      running("turn-udp", udpTitle);
      running("turn-tls", tlsTitle);
      [udp, tls] = await Promise.all([
        checkTurn("turn-udp", udpTitle, `turn:${link.host}:${link.udp}?transport=udp`, "udp", link),
        checkTurn("turn-tls", tlsTitle, `turns:${link.host}:${link.tls}?transport=tcp`, "tls", link),
      ]);
    } else {
      udp = result("turn-udp", udpTitle, "skipped", "Prövades inte: länken saknar giltiga TURN-uppgifter.");
      tls = result("turn-tls", tlsTitle, "skipped", "Prövades inte: länken saknar giltiga TURN-uppgifter.");
    }
    if (link.ok) judgeTurn(udp, tls);
    record(udp);
    record(tls);

    for (const stream of new Set([media.video, media.audio])) {
      if (stream) stream.getTracks().forEach((track) => track.stop());
    }
    state.verdict = verdictOf(state.checks);
  } catch (error) {
    state.verdict = {
      level: "red",
      title: "Rött: kontrollen kunde inte köras klart",
      reasons: [`Oväntat fel i sidan: ${error}`],
      advice: ["Ladda om sidan och kör kontrollen igen; hjälper det inte, ring supportnumret på surfplattans etikett."],
    };
  }
  showVerdict(state.verdict);
  state.done = true;
  button.textContent = "Kör kontrollen igen";
  button.disabled = false;
}

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("start");
  // A click starts it: the browser asks for the camera and lets sound be analysed only after one.
  button.addEventListener("click", runChecks);
  button.disabled = false;
});
