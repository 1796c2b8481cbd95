"""The app icons (PNG, 192 and 512 px): the favicon's "K" on its blue, full-bleed, inside the
central 80 % a maskable icon must keep. A 16-colour palette PNG, about 1.6 KB for both.
Run from this folder: python3 make_icons.py; the committed files then went through zopfli
(`pip install zopfli`; `zopfli.png.optimize`, lossless): 1,247 B for both."""
import zlib, struct, sys
# K from favicon.svg (viewBox 32): M9 23V9h3v6l6-6h4l-7 7 7 7h-4l-6-6v6z
K=[(9,23),(9,9),(12,9),(12,15),(18,9),(22,9),(15,16),(22,23),(18,23),(12,17),(12,23)]
BG=(0x3b,0x4b,0xd8); FG=(255,255,255)
def inside(x,y,poly):
    c=False; n=len(poly)
    for i in range(n):
        (x1,y1),(x2,y2)=poly[i],poly[(i+1)%n]
        if (y1>y)!=(y2>y) and x < x1+(y-y1)*(x2-x1)/(y2-y1): c=not c
    return c
def make(size, scale, levels=16, ss=4):
    # scale: how much of the icon the 32-unit K box takes (maskable safe zone)
    off=size*(1-scale)/2; unit=size*scale/32
    rows=[]
    for py in range(size):
        row=bytearray()
        for px in range(0,size,2):
            pair=[]
            for qx in (px,px+1):
                cov=0
                for sy in range(ss):
                    for sx in range(ss):
                        x=((qx+(sx+.5)/ss)-off)/unit; y=((py+(sy+.5)/ss)-off)/unit
                        cov+=inside(x,y,K)
                pair.append(round(cov/(ss*ss)*(levels-1)))
            row.append(pair[0]<<4|pair[1])
        rows.append(b'\0'+bytes(row))
    pal=b''.join(bytes(round(BG[c]+(FG[c]-BG[c])*i/(levels-1)) for c in range(3)) for i in range(levels))
    def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
    raw=b''.join(rows)
    best=min((zlib.compress(raw,9),), key=len)
    return b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',size,size,4,3,0,0,0))+chunk(b'PLTE',pal)+chunk(b'IDAT',best)+chunk(b'IEND',b'')
for size in (192,512):
    # K at 1.0 of the 32-unit box: its strokes span 9..22 → within the central 80% safe zone
    data=make(size,1.0)
    open(f'icon-{size}.png','wb').write(data); print(size,len(data))
