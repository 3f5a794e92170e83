#!/usr/bin/env bash
# Made once, offline, to create the demo media committed beside this script; never run by
# the product or its tests (see README.md here). Needs Debian's espeak-ng and ffmpeg (5.1 was used)
# with libx264, libvpx, libopus and drawtext, and the DejaVu fonts.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
bold=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf

# speak NAME VOICE TEXT: a 16 kHz mono WAV with half a second of silence before and after.
speak() {
  espeak-ng -v "$2" -s 150 -w "$work/$1.raw.wav" "$3"
  ffmpeg -nostdin -loglevel error -y -i "$work/$1.raw.wav" -af "adelay=500,apad=pad_dur=0.5" \
    -ar 16000 -ac 1 "$work/$1.wav"
}

# picture COLOR TITLE SUBTITLE: a 320x180 card at 10 frames per second, with a progress bar so
# the picture changes over time (a poster and seeking have something to show).
picture() {
  echo "color=c=$1:s=320x180:r=10,drawtext=fontfile=$bold:text='$2':fontcolor=white:fontsize=18:x=16:y=60,drawtext=fontfile=$font:text='$3':fontcolor=white@0.85:fontsize=12:x=16:y=92[card];color=c=0xf6b26b:s=320x8:r=10[bar];[card][bar]overlay=x='-W+W*t/DURATION':y=172:shortest=0,format=yuv420p"
}

# mp4 NAME COLOR TITLE SUBTITLE VOICE TEXT: H.264/AAC, index up front (what processing makes).
mp4() {
  speak "$1" "$5" "$6"
  duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/$1.wav")
  ffmpeg -nostdin -loglevel error -y -f lavfi -i "$(picture "$2" "$3" "$4" | sed "s/DURATION/$duration/")" \
    -i "$work/$1.wav" -t "$duration" -c:v libx264 -preset veryslow -crf 32 -pix_fmt yuv420p -g 50 \
    -c:a aac -b:a 24k -ac 1 -movflags +faststart "$1.mp4"
}

# webm NAME COLOR TITLE SUBTITLE VOICE TEXT [FOLDER]: VP8/Opus, as a browser's MediaRecorder makes them.
webm() {
  speak "$1" "$5" "$6"
  duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/$1.wav")
  ffmpeg -nostdin -loglevel error -y -f lavfi -i "$(picture "$2" "$3" "$4" | sed "s/DURATION/$duration/")" \
    -i "$work/$1.wav" -t "$duration" -c:v libvpx -b:v 40k -g 50 -c:a libopus -b:a 20k -ac 1 "${7:-.}/$1.webm"
}

mp4 prompt-about-you 0x0b5394 "Marta, hiring manager" "Question 1 of 2" en-us \
  "Tell us about yourself and why Aurora Robotics caught your attention."
mp4 prompt-project 0x0b5394 "Marta, hiring manager" "Question 2 of 2" en-us \
  "Describe a project you are proud of. What was hard, and what did you learn?"
webm answer-chiara-about-you 0x38761d "Chiara Colombo" "Answer to question 1" en-gb \
  "Hi, I'm Chiara. I have worked on industrial robots for four years, and I love making them safe around people."
webm answer-chiara-project 0x38761d "Chiara Colombo" "Answer to question 2" en-gb \
  "I am proud of a path planner I rewrote in Rust. It was hard to test, and I learned to build a simulator first."
mp4 pitch-robotics-engineer 0x0b5394 "Marta, hiring manager" "Robotics Software Engineer" en-us \
  "Hi, I'm Marta. In our lab in Milan you will write the software that lets our robot arms work safely beside people. Every week you will test it on real robots."
mp4 testimonial-elena 0x741b47 "Elena, robotics engineer" "Working at Aurora Robotics" en-gb \
  "Every Friday we watch our robots work in a real factory, and the team listens to new ideas."

# The test recording: Whisper must hear these words (tests/test_media.py checks them).
webm spoken 0x444444 "Ada Lovelace" "Test recording" en-us \
  "Hello. My name is Ada and I build robots in Milan." ../../tests/fixtures/media

# A phone-style recording whose picture players turn 90° counterclockwise (display matrix):
# processing must turn the pixels upright (tests/test_media.py checks the MP4 is 48×64).
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=64x48:rate=5" -t 2 -c:v libx264 -pix_fmt yuv420p "$work/plain.mp4"
ffmpeg -nostdin -loglevel error -y -i "$work/plain.mp4" -c copy -metadata:s:v:0 rotate=90 ../../tests/fixtures/media/rotated.mp4
