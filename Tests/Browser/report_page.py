#!/usr/bin/env python3
"""Opens a troupe report in headless Chromium (Debian's chromium + chromium-driver, through
Selenium's WebDriver) from file:// and checks what a person would see.

  report_page.py INDEX.html --expect EXPECT.json --screenshots DIR   # the browser test
  report_page.py INDEX.html --screenshot OUT.png [--dark OUT-dark.png] # pictures only

EXPECT.json comes from the page model of the same campaign: {"cells": [{"id", "status",
"poster", "video", "reason"}], "reels": [{"name", "video", "filmstrip"}], and optionally
"deliverables": [{"name", "platform", "video", "gif"}]}. Exit status 0 when
every check passes, 1 when one fails, 2 when the browser cannot be started."""
import argparse, base64, json, os, shutil, sys, time, urllib.parse

results = []


def check(ok, what):
    results.append((bool(ok), what))
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    return ok


def start_browser(width, height):
    chromium, driver_bin = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_bin:
        print("error: the browser test needs Debian's chromium and chromium-driver packages "
              "(run scripts/bootstrap.sh); found chromium=%s chromedriver=%s" % (chromium, driver_bin))
        sys.exit(2)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("error: the browser test needs the selenium Python package (run scripts/bootstrap.sh)")
        sys.exit(2)
    # Never let Selenium Manager look for (or download) a browser or a driver: use Debian's.
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=%d,%d" % (width, height), "--autoplay-policy=no-user-gesture-required",
                "--mute-audio", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver_bin), options=options)


def wait(driver, script, timeout=15.0, *args):
    """Polls a script until it returns something truthy; returns its last value."""
    end = time.time() + timeout
    value = None
    while time.time() < end:
        value = driver.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.1)
    return value


def screenshot(driver, path, dark):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    time.sleep(0.3)
    wait(driver, "return Array.from(document.images).every(i => i.loading === 'lazy' && "
                 "i.getBoundingClientRect().top > innerHeight || (i.complete && i.naturalWidth > 0))", 10)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("screenshot: %s (%s scheme)" % (path, "dark" if dark else "light"))
    return driver.execute_script("return getComputedStyle(document.body).backgroundColor")


def file_of(url):
    return urllib.parse.unquote(urllib.parse.urlparse(url).path)


def play(driver, cell, how):
    """Starts a cell's render (click or keyboard) and waits until its video has a frame."""
    from selenium.webdriver.common.keys import Keys
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", cell)
    if how == "click":
        cell.click()
    else:
        driver.execute_script("arguments[0].focus()", cell)
        check(driver.execute_script("return document.activeElement === arguments[0]", cell),
              "%s takes the keyboard focus" % cell.get_attribute("data-cell"))
        cell.send_keys(Keys.ENTER)
    return wait(driver, """
        const v = arguments[0].querySelector('video');
        if (!v || v.readyState < 2) return null;
        return {src: v.currentSrc, readyState: v.readyState, error: v.error && v.error.code,
                width: v.videoWidth, duration: v.duration,
                canPlay: v.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"')};
    """, 20, cell)


def run_checks(driver, expect):
    from selenium.webdriver.common.by import By
    cells = driver.find_elements(By.CSS_SELECTOR, "td[data-cell]")
    check(len(cells) == len(expect["cells"]), "%d cells on the page (expected %d)" % (len(cells), len(expect["cells"])))
    shown = {c.get_attribute("data-cell"): c for c in cells}
    for e in expect["cells"]:
        cell = shown.get(e["id"])
        if not check(cell is not None, "cell %s is on the page" % e["id"]):
            continue
        check(cell.get_attribute("data-status") == e["status"],
              "cell %s shows status %s (page: %s)" % (e["id"], e["status"], cell.get_attribute("data-status")))
        text = cell.text
        check(e["status"].replace("-", " ") in text, "cell %s says '%s' in words, not only in colour" % (e["id"], e["status"]))
        check(cell.get_attribute("tabindex") == "0", "cell %s can take the keyboard focus" % e["id"])
        if e.get("reason"):
            check(e["reason"] in text, "cell %s shows the provider's reason" % e["id"])
        if e["poster"]:
            driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", cell)
            decoded = wait(driver, "const i = arguments[0].querySelector('.frame img'); "
                                   "return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.alt] : null", 10, cell)
            check(decoded and decoded[0] > 0 and decoded[1], "cell %s: its poster decoded (naturalWidth %s) with alt text"
                  % (e["id"], decoded and decoded[0]))
    playable = [e for e in expect["cells"] if e["video"]]
    for how, e in zip(("click", "keyboard"), playable):
        info = play(driver, shown[e["id"]], how)
        if check(info, "cell %s plays its render in place on %s (readyState >= 2)" % (e["id"], how)):
            path = file_of(info["src"])
            check(os.path.isfile(path), "cell %s: the video's source exists on disk (%s)" % (e["id"], path))
            check(info["error"] is None and info["width"] > 0 and info["duration"] > 0,
                  "cell %s: the video decoded (%dpx wide, %.1f s)" % (e["id"], info["width"] or 0, info["duration"] or 0))
            check(info["canPlay"] in ("probably", "maybe"), "the browser can play H.264/AAC MP4 (canPlayType: %r)" % info["canPlay"])
    for e in expect["cells"]:
        if not e["video"]:
            check(shown[e["id"]].get_attribute("data-video") is None, "cell %s offers no video" % e["id"])

    reels = {r.get_attribute("data-reel"): r for r in driver.find_elements(By.CSS_SELECTOR, "article[data-reel]")}
    check(len(reels) == len(expect["reels"]), "%d outputs on the page (expected %d)" % (len(reels), len(expect["reels"])))
    for e in expect["reels"]:
        reel = reels.get(e["name"])
        if not check(reel is not None, "output %s is on the page" % e["name"]):
            continue
        src = driver.execute_script("const v = arguments[0].querySelector('video'); return v && v.src", reel)
        check(bool(src) == e["video"], "output %s %s" % (e["name"], "has a player" if e["video"] else "has no player yet"))
        if src:
            check(os.path.isfile(file_of(src)), "output %s: its MP4 exists (%s)" % (e["name"], file_of(src)))
        if e["filmstrip"]:
            driver.execute_script("arguments[0].scrollIntoView()", reel)
            w = wait(driver, "const i = arguments[0].querySelector('img.strip'); return i && i.complete && i.naturalWidth", 10, reel)
            check(w and w > 0, "output %s: its filmstrip decoded (naturalWidth %s)" % (e["name"], w))
    check(len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")) == 2, "two spend charts drawn as inline SVG")
    check(driver.execute_script("return getComputedStyle(document.querySelector('.matrix thead th')).position") == "sticky",
          "the clip heads stay in view while the matrix scrolls (position: sticky)")
    check_deliverables(driver, expect.get("deliverables", []))
    missing = driver.execute_script("return Array.from(document.images).filter(i => !i.alt).length")
    check(missing == 0, "every image has alt text (%d without)" % missing)
    external = driver.execute_script("""return performance.getEntriesByType('resource')
        .map(r => r.name).filter(n => !n.startsWith('file:'))""")
    check(not external, "nothing is loaded from outside the folder (%s)" % external)


def check_deliverables(driver, expected):
    """Each deliverable under its platform's heading, with a player that loads nothing until
    asked, a poster that decodes, and an MP4 that plays; its GIF decodes once opened."""
    from selenium.webdriver.common.by import By
    shown = {a.get_attribute("data-deliverable"): a for a in driver.find_elements(By.CSS_SELECTOR, "article[data-deliverable]")}
    if expected:
        check(len(shown) == len(expected), "%d deliverables on the page (expected %d)" % (len(shown), len(expected)))
    played = False
    for e in expected:
        art = shown.get(e["name"])
        if not check(art is not None, "deliverable %s is on the page" % e["name"]):
            continue
        platform = driver.execute_script("return arguments[0].closest('section[data-platform]').dataset.platform", art)
        check(platform == e["platform"], "deliverable %s is under %s (page: %s)" % (e["name"], e["platform"], platform))
        info = driver.execute_script("""const v = arguments[0].querySelector('video');
            return v && {controls: v.controls, preload: v.preload, poster: v.poster, src: v.src, readyState: v.readyState}""", art)
        if not check(bool(info) == e["video"], "deliverable %s %s" % (e["name"], "has a player" if e["video"] else "has no player yet")) or not info:
            continue
        check(info["controls"] and info["preload"] == "none" and info["readyState"] == 0,
              "deliverable %s: a player with controls that loads nothing before it is played" % e["name"])
        check(os.path.isfile(file_of(info["src"])), "deliverable %s: its MP4 exists (%s)" % (e["name"], file_of(info["src"])))
        width = driver.execute_async_script("""const done = arguments[arguments.length - 1], i = new Image();
            i.onload = () => done(i.naturalWidth); i.onerror = () => done(0); i.src = arguments[0];""", info["poster"])
        check(width > 0, "deliverable %s: its poster decodes (%s px wide)" % (e["name"], width))
        if not played:
            played = True
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", art)
            ready = wait(driver, """const v = arguments[0].querySelector('video'); v.muted = true;
                if (v.paused) { const p = v.play(); if (p) p.catch(() => {}); }
                return v.readyState >= 2 && v.videoWidth > 0 ? [v.videoWidth, v.videoHeight] : null""", 20, art)
            check(ready, "deliverable %s plays in the page (%s)" % (e["name"], ready))
        if e.get("gif"):
            driver.execute_script("arguments[0].querySelector('details.gif').open = true", art)
            w = wait(driver, "const i = arguments[0].querySelector('details.gif img'); return i && i.complete && i.naturalWidth", 10, art)
            check(w and w > 0, "deliverable %s: its GIF decodes once opened (naturalWidth %s)" % (e["name"], w))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("index")
    p.add_argument("--expect")
    p.add_argument("--screenshots", help="folder for report-screenshot.png and report-screenshot-dark.png")
    p.add_argument("--screenshot", help="write only a light screenshot here")
    p.add_argument("--dark", help="and a dark one here")
    p.add_argument("--width", type=int, default=1280)
    a = p.parse_args()
    driver = start_browser(a.width, 900)
    try:
        driver.get("file://" + os.path.abspath(a.index))
        wait(driver, "return document.readyState === 'complete'", 10)
        if a.screenshot:
            screenshot(driver, a.screenshot, dark=False)
            if a.dark:
                screenshot(driver, a.dark, dark=True)
            return 0
        expect = json.load(open(a.expect))
        run_checks(driver, expect)
        if a.screenshots:
            driver.get("file://" + os.path.abspath(a.index))
            light = screenshot(driver, os.path.join(a.screenshots, "report-screenshot.png"), dark=False)
            dark = screenshot(driver, os.path.join(a.screenshots, "report-screenshot-dark.png"), dark=True)
            check(light != dark, "light and dark schemes differ (%s / %s)" % (light, dark))
    finally:
        driver.quit()
    failed = sum(1 for ok, _ in results if not ok)
    print("browser: %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
