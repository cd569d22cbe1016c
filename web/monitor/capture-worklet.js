// Runs in the audio thread: collects the microphone's samples (device rate, first channel) into
// frames of `frameSamples` and posts each to the page, which sends it to the server.
class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.frame = new Float32Array(options.processorOptions.frameSamples);
    this.n = 0;
  }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) {
      let i = 0;
      while (i < ch.length) {
        const take = Math.min(ch.length - i, this.frame.length - this.n);
        this.frame.set(ch.subarray(i, i + take), this.n);
        this.n += take;
        i += take;
        if (this.n === this.frame.length) {
          this.port.postMessage(this.frame.slice(0));
          this.n = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor('affexion-capture', CaptureProcessor);
