# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Error of random-feature attention against softmax attention' noenhanced
set xlabel 'features r' noenhanced
set ylabel 'mean RMS error' noenhanced
set logscale x
set logscale y
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
2 0.08784158856
4 0.0754662046
8 0.0589602162
16 0.0376410001
32 0.03108386663
64 0.02492442216
128 0.01586954981
256 0.01167548091
EOD
$s1 << EOD
2 0.08784158856
4 0.06211338294
8 0.04392079428
16 0.03105669147
32 0.02196039714
64 0.01552834574
128 0.01098019857
256 0.007764172868
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'your performer_attention', \
    $s1 using 1:2 with lines lw 2 title 'slope -1/2 (through the first point)'
