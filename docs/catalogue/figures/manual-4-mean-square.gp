# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Mean square of the dot product of two N(0, I_D) vectors' noenhanced
set xlabel 'dimension D' noenhanced
set ylabel 'mean of (a.b)^2' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 1
2 2
4 4
8 8
16 16
32 32
64 64
128 128
256 256
512 512
EOD
$s1 << EOD
1 1.082523108
2 1.964153866
4 3.890944991
8 7.960467337
16 15.83293661
32 32.25433751
64 61.54046564
128 129.5148159
256 261.0237367
512 510.942067
EOD
plot $s0 using 1:2 with lines lw 2 title 'y = D', \
    $s1 using 1:2 with points pt 7 ps 1.1 title 'your samples (n = 5000 each)'
